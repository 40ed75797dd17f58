"""Messages for the worklist: the support contact, the review invitation and the reminder, by SMS or letter.

Templates are Jinja2 files, `<kind>_<channel>.j2` for kind support, invitation or reminder and channel
sms or letter. The bundled ones are in `worklist/templates/`; a folder given with `--templates` replaces
any of them by file name. Practice details (name and phone, and optionally address, email, website,
questionnaire link and signature) come from a practice details file or options. A practice without a
name and a phone number gets no messages at all: a letter headed "Telephone: the surgery" must never
reach a patient. Letters are dated on the run's achievement date, and none are written for a date that
has passed (they would ask for a booking "before" a day already gone).

A text can be read by anyone who shares the phone, so the bundled texts name the practice and ask the
patient to call; they never mention cancer, a diagnosis or a review of one. Letters, sent in an envelope
to the patient, can say more.

A text must fit two SMS segments (306 GSM characters, or 134 when a character outside the GSM alphabet
forces Unicode); every SMS template is checked against each practice's details before the run.

Which message a worklist step sends is the indicator's data (`worklist.message` and `worklist.reminder`
in its rule file). A patient on two indicators' lists for the same step (one Cancer Care Review meets a
12-month and a 6-month indicator) gets one message, not two (`one_message_each`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import jinja2

from qof_cancer.errors import UserError
from qof_cancer.inputs.phones import classify_uk_phone
from qof_cancer.model.actions import MESSAGE_KINDS

__all__ = [
    "BUNDLED_TEMPLATES",
    "KINDS",
    "CHANNELS",
    "SMS_MAX_SEGMENTS",
    "PracticeDetails",
    "MessageSet",
    "load_practice_details",
    "load_messages",
    "message_date_problem",
    "missing_details_advice",
    "sms_segments",
    "long_date",
    "SMS_COLUMNS",
    "LETTER_COLUMNS",
    "plan_messages",
    "one_message_each",
    "booking_by",
    "render_letter",
]

BUNDLED_TEMPLATES = Path(__file__).parent / "templates"
# The columns bulk SMS tools take: the NHS number matches the patient's record, one message per row.
SMS_COLUMNS = ("nhs_number", "mobile", "message")
LETTER_COLUMNS = (
    "practice_code",
    "patient_id",
    "nhs_number",
    "indicator",
    "action",
    "why_letter",
    "record_cluster",
    "record_code",
    "letter",
)
KINDS = MESSAGE_KINDS
CHANNELS = ("sms", "letter")
SMS_MAX_SEGMENTS = 2

# The GSM 03.38 basic alphabet; the extension characters count twice.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_segments(text: str) -> int:
    """How many SMS segments `text` takes: 160 GSM characters in one, 153 each when split; 70 and 67 in
    Unicode (UCS-2) when any character is outside the GSM alphabet."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        single, part = 160, 153
    else:
        units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, part = 70, 67
    if units <= single:
        return 1 if units else 0
    return -(-units // part)


def long_date(day: date | str | None) -> str:
    """31 March 2024."""
    if day is None or day == "":
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class PracticeDetails:
    """What the templates say about the practice. Name and phone are required: there is no placeholder."""

    name: str
    phone: str
    email: str | None = None
    website: str | None = None
    address: str | None = None
    questionnaire_url: str | None = None
    signature: str = "The practice team"


_DETAIL_FIELDS = tuple(f.name for f in fields(PracticeDetails))
REQUIRED_DETAILS = ("name", "phone")
# Rendered when no practice has details yet, so a broken template still fails before the run.
_SAMPLE = PracticeDetails(
    name="The Whitfield Street and Kings Cross Medical Centre",
    phone="+44 (0)1632 960 000",
    address="1 Whitfield Street, London W1T 2AA",
    questionnaire_url="https://forms.example.nhs.uk/questionnaire",
)


def missing_details_advice(practice_codes: list[str]) -> str:
    """Why no messages were written for these practices, and how to add their details."""
    names = ", ".join(practice_codes)
    return (
        f"no texts or letters written for {names}: no practice name and phone number to put in them. "
        "Add them once in a practice details file (CSV: practice_code,name,phone and optionally address, "
        "email, website, questionnaire_url, signature) and pass it with --practice-details FILE (or set "
        "QOF_CANCER_PRACTICE_DETAILS), or give --practice-name and --practice-phone for every practice"
    )


def message_date_problem(achievement_date: date, today: date) -> str | None:
    """Why messages cannot be written for this achievement date (None when they can): a letter is dated on
    the achievement date, and one dated in the past would ask for a booking before a day already gone."""
    if achievement_date < today:
        return (
            f"no texts or letters written: the run's achievement date, {long_date(achievement_date)}, has "
            "passed, and a letter dated then would ask for bookings by dates already gone. Run again "
            "without --as-of (or with today's date) to write them"
        )
    return None


def load_practice_details(path: str | Path) -> dict[str, dict[str, str]]:
    """practice_code -> the details given for it, from a CSV with a `practice_code` column and any of
    name, phone, email, website, address, questionnaire_url, signature."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            if "practice_code" not in header:
                raise UserError(f"{path}: row 1: no 'practice_code' column (found: {', '.join(header)})")
            unknown = [h for h in header if h not in ("practice_code", *_DETAIL_FIELDS)]
            if unknown:
                raise UserError(
                    f"{path}: row 1: unknown column '{unknown[0]}'; expected practice_code and any of "
                    + ", ".join(_DETAIL_FIELDS)
                )
            missing = [h for h in REQUIRED_DETAILS if h not in header]
            if missing:
                raise UserError(
                    f"{path}: row 1: no '{missing[0]}' column; every practice needs a name and a phone "
                    "number for its messages"
                )
            out: dict[str, dict[str, str]] = {}
            for i, raw in enumerate(reader, start=2):
                row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
                code = row.pop("practice_code", "")
                if not code:
                    raise UserError(f"{path}: row {i}: practice_code is empty")
                for column in REQUIRED_DETAILS:
                    if not row.get(column):
                        raise UserError(
                            f"{path}: row {i}: column {column}: empty for practice {code}; every practice "
                            "needs a name and a phone number for its messages"
                        )
                if classify_uk_phone(row["phone"]) == "malformed":
                    raise UserError(
                        f"{path}: row {i}: column phone: {row['phone']!r} is not a UK phone number"
                    )
                if code in out:
                    raise UserError(f"{path}: row {i}: practice {code} is given twice")
                out[code] = {k: v for k, v in row.items() if v}
    except OSError as exc:
        raise UserError(f"{path}: cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except csv.Error as exc:  # a field past the csv module's 128 KB limit, a NUL byte
        raise UserError(f"{path}: row {reader.line_num + 1}: cannot be read as CSV: {exc}") from None
    return out


@dataclass
class MessageSet:
    """The templates and practice details one run's messages are rendered with."""

    env: jinja2.Environment
    default: PracticeDetails | None
    practices: Mapping[str, Mapping[str, str]]
    template_dir: Path | None = None

    def practice(self, practice_code: str | None) -> PracticeDetails | None:
        """The practice's details: its row in the file, else the options given for every practice."""
        given = self.practices.get(practice_code or "")
        if given is not None:
            return PracticeDetails(**given)
        return self.default

    def missing(self, practice_codes: Iterable[str]) -> list[str]:
        """The practices, of those given, with no details: they get no messages."""
        return sorted({c for c in practice_codes if self.practice(c) is None})

    def render(
        self,
        kind: str,
        channel: str,
        practice_code: str | None,
        by: date | None = None,
        today: date | None = None,
        patient_name: str = "Patient",
        **extra: object,
    ) -> str:
        name = f"{kind}_{channel}.j2"
        practice = self.practice(practice_code)
        if practice is None:
            raise UserError(missing_details_advice([practice_code or "this practice"]))
        return self._render(name, channel, practice, by, today, patient_name, extra)

    def _render(
        self,
        name: str,
        channel: str,
        practice: PracticeDetails,
        by: date | None,
        today: date | None,
        patient_name: str,
        extra: Mapping[str, object],
    ) -> str:
        context = {
            "practice": practice,
            "patient": {"name": patient_name, "nhs_number": None, **extra},
            "by": by,
            "today": today or date.today(),
        }
        try:
            text = self.env.get_template(name).render(context)
        except jinja2.TemplateError as exc:
            raise UserError(f"message template {self._where(name)}: {exc}") from None
        # An SMS is one paragraph whatever the template's line breaks; a letter keeps its layout.
        return " ".join(text.split()) if channel == "sms" else text.strip() + "\n"

    def _where(self, name: str) -> str:
        if self.template_dir is not None and (self.template_dir / name).exists():
            return str(self.template_dir / name)
        return f"{name} (bundled)"

    def check(self, practice_codes: list[str] | None = None) -> None:
        """Render every template for every practice; stop with the template's name when one fails or
        an SMS takes more than two segments."""
        sample = date(2025, 12, 31)  # the longest month name in a plausible date
        codes = practice_codes or [None, *self.practices]
        for code in codes:
            practice = self.practice(code) or _SAMPLE
            for kind in KINDS:
                for channel in CHANNELS:
                    text = self._render(
                        f"{kind}_{channel}.j2", channel, practice, sample, sample, "Patient", {}
                    )
                    segments = sms_segments(text) if channel == "sms" else 0
                    if segments > SMS_MAX_SEGMENTS:
                        who = f" for practice {code}" if code else ""
                        raise UserError(
                            f"message template {self._where(f'{kind}_sms.j2')}: the text{who} is "
                            f"{len(text)} characters, {segments} SMS segments; keep it to "
                            f"{SMS_MAX_SEGMENTS} (306 characters, or 134 if it uses any character "
                            "outside the GSM alphabet, such as curly quotes)"
                        )


def load_messages(
    templates: str | Path | None = None,
    practice_details: str | Path | None = None,
    practice_name: str | None = None,
    practice_phone: str | None = None,
) -> MessageSet:
    """The bundled templates (replaced file by file from `templates`) and the practice details; checked."""
    loaders: list[jinja2.BaseLoader] = []
    template_dir = None
    if templates is not None:
        template_dir = Path(templates)
        if not template_dir.is_dir():
            raise UserError(f"--templates {template_dir}: not a folder")
        known = {f"{k}_{c}.j2" for k in KINDS for c in CHANNELS}
        strays = sorted(p.name for p in template_dir.glob("*.j2") if p.name not in known)
        if strays:
            raise UserError(
                f"--templates {template_dir}: {strays[0]} is not a template name; expected any of "
                + ", ".join(sorted(known))
            )
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.FileSystemLoader(str(BUNDLED_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    env.filters["longdate"] = long_date
    if bool(practice_name) != bool(practice_phone):
        given_opt, other = (
            ("--practice-name", "--practice-phone")
            if practice_name
            else ("--practice-phone", "--practice-name")
        )
        raise UserError(f"{given_opt} given without {other}: a message needs both the name and the phone")
    if practice_phone and classify_uk_phone(practice_phone) == "malformed":
        raise UserError(f"--practice-phone {practice_phone!r}: not a UK phone number")
    default = PracticeDetails(practice_name, practice_phone) if practice_name and practice_phone else None
    given = load_practice_details(practice_details) if practice_details is not None else {}
    messages = MessageSet(env, default, given, template_dir)
    messages.check()
    return messages


def booking_by(row: Mapping[str, object], letter_date: date) -> date | None:
    """The date a message asks the patient to book by: the step's deadline (the review's due date), only
    when it is still ahead of the message's date."""
    by = row.get("due_date") or row.get("step_by")
    return by if isinstance(by, date) and by > letter_date else None


def render_letter(messages: MessageSet, row: Mapping[str, object], letter_date: date) -> str:
    """The letter for one worklist row with a message, dated `letter_date` (the achievement date)."""
    return messages.render(
        str(row["message"]),
        "letter",
        str(row["practice_code"]),
        by=booking_by(row, letter_date),
        today=letter_date,
        nhs_number=row.get("nhs_number"),
    )


def one_message_each(rows: Iterable[Mapping[str, object]]) -> list[dict]:
    """The worklist rows with a message, one per patient and message: rows of one patient asking for the
    same step (the same message and code) become the one with the earliest deadline, whose `indicator`
    names them all ("CAN004; LCAN006"), so nobody is invited twice to one review."""
    kept: dict[tuple, dict] = {}
    indicators: dict[tuple, list[str]] = {}
    for row in rows:
        key = (row.get("practice_code"), row.get("patient_id"), row.get("message"), row.get("record_cluster"))
        indicators.setdefault(key, []).append(str(row.get("indicator")))
        if key not in kept or _deadline(row) < _deadline(kept[key]):
            kept[key] = dict(row)
    for key, row in kept.items():
        row["indicator"] = "; ".join(dict.fromkeys(indicators[key]))
    return list(kept.values())


def _deadline(row: Mapping[str, object]) -> date:
    by = row.get("due_date") or row.get("step_by")
    return by if isinstance(by, date) else date.max


def plan_messages(
    worklist: list[dict], messages: MessageSet, letter_date: date
) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Per practice: SMS rows (SMS_COLUMNS) for patients with a usable mobile and an NHS number, and
    letter rows (LETTER_COLUMNS) for the others: the worklist rows whose message is ready (`send_now`),
    for practices with details (`MessageSet.missing` names the others). Letters are dated `letter_date`,
    the run's achievement date."""
    sms: dict[str, list[dict]] = {}
    letters: dict[str, list[dict]] = {}
    for row in one_message_each(r for r in worklist if r.get("message") and r.get("send_now")):
        kind = str(row["message"])
        practice = row["practice_code"]
        if messages.practice(practice) is None:
            continue
        if row["mobile_usable"] and row["nhs_number"]:
            text = messages.render(kind, "sms", practice, by=booking_by(row, letter_date), today=letter_date)
            sms.setdefault(practice, []).append(
                {"nhs_number": row["nhs_number"], "mobile": row["mobile_phone"], "message": text}
            )
            continue
        why = (
            f"no usable mobile ({row['mobile_status'].replace('_', ' ')})"
            if not row["mobile_usable"]
            else "no NHS number for the SMS tool to match"
        )
        letter = render_letter(messages, row, letter_date)
        letters.setdefault(practice, []).append(
            {
                "practice_code": practice,
                "patient_id": row["patient_id"],
                "nhs_number": row["nhs_number"],
                "indicator": row["indicator"],
                "action": row["action"],
                "why_letter": why,
                "record_cluster": row["record_cluster"],
                "record_code": row["record_code"],
                "letter": letter,
            }
        )
    return sms, letters
