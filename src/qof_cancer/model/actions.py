"""What a practice does for an indicator, as data: the worklist list, its steps, its words and messages.

An indicator whose `met` rule is a record after the diagnosis (a Cancer Care Review, a support contact)
has a `worklist:` section in its rule file. Everything the worklist, its sheets, the dashboard and the
letters say about that indicator comes from here, so a new indicator (a rule file, or one a local scheme
adds) appears in every output with no change to the code.

Two shapes of step, both generic:

- `invitations`: invite (with the indicator's two-invitations rule, a second invitation at least the
  gap later), then the action itself by the due date. Messages: `message` for the first invitation,
  `reminder` for the second.
- `contact`: the action itself, as soon after the diagnosis as possible. Message: `message`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from qof_cancer.rules import Document

__all__ = ["MESSAGE_KINDS", "STEP_SHAPES", "WorklistSpec", "build_worklist_spec", "WORKLIST_FIELDS"]

# The message templates there are (`<kind>_sms.j2` and `<kind>_letter.j2` in worklist/templates).
MESSAGE_KINDS = ("support", "invitation", "reminder")
STEP_SHAPES = ("invitations", "contact")
# Excel's limits on a sheet name: 31 characters, none of these.
_SHEET_MAX = 31
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_LIST_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
# Lists every run has, whatever its indicators: a list key of an indicator must not take these.
GENERIC_LISTS = ("missed", "pca_housekeeping")

# field -> (required, what it is), for the error messages and the docs.
WORKLIST_FIELDS: dict[str, tuple[bool, str]] = {
    "list": (True, "the list's key, the `list` column of worklist.csv (lower case, e.g. care_review)"),
    "name": (True, "the list in words, on the dashboard (e.g. Cancer Care Review)"),
    "sheet": (True, "the worklist.xlsx sheet (at most 31 characters, e.g. CAN004 review)"),
    "about": (True, "one line for the About sheet: what the sheet holds"),
    "help": (True, "one line under the list on the dashboard: what to do"),
    "record": (True, "the record that meets the indicator, in words (e.g. Cancer Care Review)"),
    "steps": (True, "invitations (invite, remind, then the action by the due date) or contact (at once)"),
    "action": (True, "the last step, in the action column (e.g. review, support contact)"),
    "message": (True, f"the message for the first step: one of {', '.join(MESSAGE_KINDS)}"),
    "reminder": (False, "invitations only: the message for the second invitation (default reminder)"),
    "invitation": (False, "invitations only: the first step's name (default invitation)"),
    "invitation_note": (False, "invitations only: a note on the first step (e.g. send the questionnaire)"),
}


@dataclass(frozen=True)
class WorklistSpec:
    """One indicator's worklist list: its key and words, the shape of its steps and their messages."""

    list: str
    name: str
    sheet: str
    about: str
    help: str
    record: str
    steps: Literal["invitations", "contact"]
    action: str
    message: str
    reminder: str = "reminder"
    invitation: str = "invitation"
    invitation_note: str = ""

    def __post_init__(self) -> None:
        if not _LIST_KEY.match(self.list):
            raise ValueError(f"list {self.list!r}: lower-case letters, digits and _ only, e.g. care_review")
        if self.list in GENERIC_LISTS:
            raise ValueError(f"list {self.list!r} is a list every run has; choose another key")
        if self.steps not in STEP_SHAPES:
            raise ValueError(f"steps must be one of {', '.join(STEP_SHAPES)}, not {self.steps!r}")
        if not self.sheet.strip() or len(self.sheet) > _SHEET_MAX or _SHEET_BAD.search(self.sheet):
            raise ValueError(
                f"sheet {self.sheet!r}: 1 to {_SHEET_MAX} characters, none of [ ] : * ? / \\ (Excel's rules)"
            )
        if self.sheet.strip().lower() in (
            "about",
            "missed",
            "pca housekeeping",
            "forecast",
            "pca monitoring",
        ):
            raise ValueError(f"sheet {self.sheet!r} is a sheet every workbook has; choose another name")
        for name in ("message", "reminder"):
            if getattr(self, name) not in MESSAGE_KINDS:
                raise ValueError(
                    f"{name} must be one of {', '.join(MESSAGE_KINDS)}, not {getattr(self, name)!r}"
                )
        for name in ("name", "about", "help", "record", "action", "invitation"):
            if not str(getattr(self, name)).strip():
                raise ValueError(f"{name} must not be empty")


def build_worklist_spec(doc: Document, where: tuple, raw: Any) -> WorklistSpec | None:
    """The spec from an indicator's `worklist:` value (None when there is no section); a wrong field is
    a RuleFileError naming the file, line and field."""
    if raw is None:
        return None
    required = [k for k, (req, _) in WORKLIST_FIELDS.items() if req]
    if not isinstance(raw, Mapping):
        raise doc.error(where, f"a mapping with {', '.join(required)}")
    for key in raw:
        if key not in WORKLIST_FIELDS:
            raise doc.error((*where, str(key)), f"unknown field; expected {', '.join(WORKLIST_FIELDS)}")
    for key in required:
        if key not in raw:
            raise doc.error(where, f"missing required field {key!r}: {WORKLIST_FIELDS[key][1]}")
    try:
        return WorklistSpec(**{str(k): "" if v is None else str(v) for k, v in raw.items()})
    except ValueError as exc:
        name = str(exc).split(" ", 1)[0]
        raise doc.error((*where, name) if name in WORKLIST_FIELDS else where, str(exc)) from None
