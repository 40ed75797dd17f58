"""Message templates: rendering with practice details (never placeholders), overriding, SMS length and
wording safe for a shared phone, letters dated on the achievement date."""

from __future__ import annotations

from datetime import date

import pytest

from qof_cancer.errors import UserError
from qof_cancer.worklist.messages import (
    BUNDLED_TEMPLATES,
    CHANNELS,
    KINDS,
    SMS_MAX_SEGMENTS,
    load_messages,
    long_date,
    message_date_problem,
    missing_details_advice,
    plan_messages,
    sms_segments,
)

LONG_NAME = "The Whitfield Street and Kings Cross Medical Centre"  # 51 characters
LONG_PHONE = "+44 (0)1632 960 000"
LONG_URL = "https://forms.example.nhs.uk/ccr-questionnaire"


def test_every_template_is_bundled():
    assert {p.name for p in BUNDLED_TEMPLATES.glob("*.j2")} == {
        f"{k}_{c}.j2" for k in KINDS for c in CHANNELS
    }


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("£" * 160, 1),  # the pound sign is in the GSM alphabet
        ("€" * 80, 1),  # the euro sign counts twice
        ("€" * 81, 2),
        ("’" + "a" * 69, 1),  # a curly apostrophe forces Unicode: 70 per segment
        ("’" + "a" * 70, 2),
        ("’" + "a" * 133, 2),
        ("’" + "a" * 134, 3),
    ],
)
def test_sms_segments(text, segments):
    assert sms_segments(text) == segments


def test_long_date():
    assert long_date(date(2024, 3, 1)) == "1 March 2024"
    assert long_date("2023-12-31") == "31 December 2023"
    assert long_date(None) == ""


@pytest.mark.parametrize("kind", KINDS)
def test_bundled_sms_fit_two_segments_with_long_practice_details(kind, tmp_path):
    details = tmp_path / "practices.csv"
    details.write_text(
        f'practice_code,name,phone,questionnaire_url\nA00001,"{LONG_NAME}",{LONG_PHONE},{LONG_URL}\n'
    )
    messages = load_messages(practice_details=details)
    text = messages.render(kind, "sms", "A00001", by=date(2025, 12, 31), today=date(2025, 12, 31))
    assert LONG_NAME in text and LONG_PHONE in text
    assert len(text) <= 306
    assert sms_segments(text) <= SMS_MAX_SEGMENTS
    assert "\n" not in text and "  " not in text


def test_without_practice_details_there_is_nothing_to_render_and_the_advice_says_how():
    messages = load_messages()
    assert messages.practice("ANY") is None
    assert messages.missing(["B00002", "A00001", "A00001"]) == ["A00001", "B00002"]
    with pytest.raises(UserError, match=r"no texts or letters written for ANY.*--practice-details FILE"):
        messages.render("invitation", "sms", "ANY", by=date(2024, 3, 1))
    advice = missing_details_advice(["A00001"])
    assert "--practice-name and --practice-phone" in advice and "practice_code,name,phone" in advice


def test_name_without_phone_or_a_phone_that_is_not_one_stops_before_the_run(tmp_path):
    with pytest.raises(UserError, match="--practice-name given without --practice-phone"):
        load_messages(practice_name="Riverside")
    with pytest.raises(UserError, match="--practice-phone 'the surgery': not a UK phone number"):
        load_messages(practice_name="Riverside", practice_phone="the surgery")
    details = tmp_path / "practices.csv"
    details.write_text("practice_code,name,phone\nA00001,Riverside,01632 960111\nB00002,Hill Surgery,\n")
    with pytest.raises(UserError, match=r"practices.csv: row 3: column phone: empty for practice B00002"):
        load_messages(practice_details=details)
    details.write_text("practice_code,name\nA00001,Riverside\n")
    with pytest.raises(UserError, match="row 1: no 'phone' column"):
        load_messages(practice_details=details)
    details.write_text("practice_code,name,phone\nA00001,Riverside,surgery\n")
    with pytest.raises(UserError, match="row 2: column phone: 'surgery' is not a UK phone number"):
        load_messages(practice_details=details)


# Words that would tell whoever picks up a shared phone what the text is about.
DISCLOSING = ("cancer", "diagnos", "oncolog", "tumour", "macmillan", "chemo", "care review", "sorry")


@pytest.mark.parametrize("kind", KINDS)
def test_texts_never_disclose_a_diagnosis_and_letters_are_dated_in_uk_style(kind):
    messages = load_messages(practice_name="Riverside Surgery", practice_phone="01632 960111")
    text = messages.render(kind, "sms", "A00001", by=date(2024, 3, 1), today=date(2024, 1, 5))
    assert not [w for w in DISCLOSING if w in text.lower()], text
    assert text.startswith("Riverside Surgery: ") and "01632 960111" in text
    letter = messages.render(
        kind, "letter", "A00001", by=date(2024, 3, 1), today=date(2024, 1, 5), nhs_number="9990000018"
    )
    assert "Riverside Surgery" in letter and "Telephone: 01632 960111" in letter
    assert "5 January 2024" in letter and "NHS number: 9990000018" in letter
    assert "2024-" not in letter and "{{" not in letter and "None" not in letter
    if kind != "support":
        assert "ideally before 1 March 2024" in letter


def test_messages_for_a_past_achievement_date_are_refused():
    assert message_date_problem(date(2024, 1, 5), date(2024, 1, 5)) is None
    problem = message_date_problem(date(2023, 11, 15), date(2024, 1, 5))
    assert problem is not None and "15 November 2023, has passed" in problem


def test_options_fill_every_practice_and_the_file_wins_for_its_own(tmp_path):
    details = tmp_path / "practices.csv"
    details.write_text("practice_code,name,phone\nB00002,Hill Surgery,01632 960999\n")
    messages = load_messages(
        practice_details=details, practice_name="Riverside", practice_phone="01632 960111"
    )
    assert messages.render("support", "sms", "A00001").startswith("Riverside: ")
    assert "01632 960111" in messages.render("support", "sms", "A00001")
    assert messages.practice("C00003").name == "Riverside"  # the options fill practices not in the file
    hill = messages.render("support", "sms", "B00002")
    assert hill.startswith("Hill Surgery: ") and "01632 960999" in hill


def test_invitation_letter_uses_the_questionnaire_link_or_encloses_one(tmp_path):
    details = tmp_path / "practices.csv"
    details.write_text(
        f"practice_code,name,phone,questionnaire_url,address\nA00001,Riverside,01632 960111,{LONG_URL},1 High Street\n"
        "B00002,Hill Surgery,01632 960222,,\n"
    )
    messages = load_messages(practice_details=details)
    with_link = messages.render("invitation", "letter", "A00001")
    assert LONG_URL in with_link and "1 High Street" in with_link
    assert "We have enclosed a short questionnaire" in messages.render("invitation", "letter", "B00002")


def test_a_template_folder_replaces_templates_by_name(tmp_path):
    (tmp_path / "support_sms.j2").write_text(
        "{{ practice.name }}: we are here for you. Call {{ practice.phone }}."
    )
    messages = load_messages(templates=tmp_path, practice_name="Riverside", practice_phone="01632 960123")
    assert messages.render("support", "sms", None) == "Riverside: we are here for you. Call 01632 960123."
    assert "review appointment" in messages.render("invitation", "sms", None)  # still bundled


def test_an_sms_template_over_two_segments_stops_before_the_run(tmp_path):
    (tmp_path / "reminder_sms.j2").write_text("{{ practice.name }}: " + "please call us. " * 25)
    with pytest.raises(UserError, match=r"reminder_sms\.j2.*3 SMS segments"):
        load_messages(templates=tmp_path)


def test_curly_quotes_shrink_the_sms_limit(tmp_path):
    (tmp_path / "support_sms.j2").write_text("We’re here for you. " * 8)  # 160 characters, but Unicode
    with pytest.raises(UserError, match="outside the GSM alphabet"):
        load_messages(templates=tmp_path)


def test_a_template_naming_an_unknown_field_stops_with_its_name(tmp_path):
    (tmp_path / "invitation_letter.j2").write_text("Dear {{ patient.surname }}")
    with pytest.raises(UserError, match=r"invitation_letter\.j2"):
        load_messages(templates=tmp_path)


def test_unknown_template_files_and_bad_details_are_user_errors(tmp_path):
    (tmp_path / "invite_sms.j2").write_text("x")
    with pytest.raises(UserError, match="invite_sms.j2 is not a template name"):
        load_messages(templates=tmp_path)
    details = tmp_path / "practices.csv"
    details.write_text("code,name,phone\nA00001,Riverside,01632 960111\n")
    with pytest.raises(UserError, match="no 'practice_code' column"):
        load_messages(practice_details=details)
    details.write_text("practice_code,name,phone,fax\nA00001,Riverside,01632 960111,1\n")
    with pytest.raises(UserError, match="unknown column 'fax'"):
        load_messages(practice_details=details)
    with pytest.raises(UserError, match="not a folder"):
        load_messages(templates=tmp_path / "missing")


def _row(**kw):
    row = {
        "practice_code": "A00001",
        "patient_id": "p1",
        "nhs_number": "9990000018",
        "indicator": "CAN005",
        "action": "support contact",
        "message": "support",
        "send_now": True,
        "step_by": date(2024, 1, 10),
        "mobile_phone": "07700900123",
        "mobile_status": "mobile",
        "mobile_usable": True,
        "record_cluster": "CANPCSUPP_COD",
        "record_code": "LOCAL-CANPCSUPP-01",
    }
    return {**row, **kw}


def test_plan_messages_splits_sms_and_letters():
    messages = load_messages(practice_name="Riverside", practice_phone="01632 960111")
    worklist = [
        _row(patient_id="sms"),
        _row(
            patient_id="landline", mobile_phone="01632 960123", mobile_status="landline", mobile_usable=False
        ),
        _row(patient_id="no-nhs", nhs_number=None),
        _row(patient_id="pager", mobile_status="pager", mobile_usable=False, message="invitation"),
        _row(patient_id="later", send_now=False),
        _row(patient_id="no-message", message=None),
    ]
    sms, letters = plan_messages(worklist, messages, date(2024, 1, 1))
    assert list(sms) == ["A00001"]
    # A practice with no details gets nothing, whatever is due.
    assert plan_messages(
        [_row(practice_code="Z99999")], messages.__class__(messages.env, None, {}), date(2024, 1, 1)
    ) == ({}, {})
    assert sms["A00001"] == [
        {
            "nhs_number": "9990000018",
            "mobile": "07700900123",
            "message": messages.render("support", "sms", "A00001"),
        }
    ]
    by_patient = {r["patient_id"]: r for r in letters["A00001"]}
    assert set(by_patient) == {"landline", "no-nhs", "pager"}
    assert by_patient["landline"]["why_letter"] == "no usable mobile (landline)"
    assert by_patient["no-nhs"]["why_letter"] == "no NHS number for the SMS tool to match"
    assert "Invitation to a Cancer Care Review" in by_patient["pager"]["letter"]
    assert by_patient["pager"]["record_code"] == "LOCAL-CANPCSUPP-01"


def test_one_message_each_merges_the_same_step_for_one_patient_and_keeps_the_earlier_deadline():
    from qof_cancer.worklist.messages import one_message_each

    def row(indicator, message, due, patient="p1", cluster="CANINVITE_COD"):
        return {
            "practice_code": "A00001",
            "patient_id": patient,
            "indicator": indicator,
            "message": message,
            "record_cluster": cluster,
            "due_date": due,
        }

    rows = [
        row("CAN004", "invitation", date(2027, 3, 31)),
        row("LCAN006", "invitation", date(2027, 2, 1)),
        row("CAN005", "support", date(2026, 12, 1), cluster="CANPCSUPP_COD"),
        row("CAN004", "invitation", date(2027, 3, 31), patient="p2"),
    ]
    kept = one_message_each(rows)
    assert [(r["patient_id"], r["indicator"], r["message"]) for r in kept] == [
        ("p1", "CAN004; LCAN006", "invitation"),
        ("p1", "CAN005", "support"),
        ("p2", "CAN004", "invitation"),
    ]
    assert kept[0]["due_date"] == date(2027, 2, 1)  # the letter asks for the earlier date
    assert rows[1]["indicator"] == "LCAN006"  # the worklist's own rows are left as they were
