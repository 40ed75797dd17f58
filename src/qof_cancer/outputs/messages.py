"""Message files for the worklist: per practice, a bulk-SMS CSV and a list of letters to send.

`messages/<PRACTICE>-sms.csv` has exactly the columns bulk SMS tools take (nhs_number, mobile, message);
`messages/<PRACTICE>-letters.csv` lists the patients who need a letter instead, with the letter text and
the code to record once it is sent. The files are written in a staging folder that replaces `messages/`
whole when every file is written (`folders.swapped_folder`): a run that fails part way leaves the
previous run's messages as they were, and the folder never mixes two runs (an earlier run's file for a
practice not in this one is gone; a file of the user's own is kept). No file is written for a practice without details, nor at all when the
run's achievement date has passed; `MessageFiles.notes` says why, in words for the terminal. The practice code comes from the data, so it names a file only
through `sanitise.safe_file_name`: no code can write outside `messages/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa

from qof_cancer.folders import swapped_folder
from qof_cancer.outputs.files import write_rows_csv
from qof_cancer.sanitise import safe_file_name
from qof_cancer.worklist.messages import (
    LETTER_COLUMNS,
    SMS_COLUMNS,
    MessageSet,
    message_date_problem,
    missing_details_advice,
    plan_messages,
)

__all__ = ["MessageFiles", "write_messages"]


@dataclass
class MessageFiles:
    """The message files written, and why any were not."""

    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_messages(
    worklist: pa.Table, out: str | Path, messages: MessageSet, achievement_date: date, today: date
) -> MessageFiles:
    """Write the SMS and letter files into `out/messages/`, dated on the achievement date."""
    folder = Path(out) / "messages"
    rows = worklist.to_pylist()
    files = MessageFiles()
    problem = message_date_problem(achievement_date, today)
    if problem is not None:
        rows = []
        files.notes.append(problem)
    else:
        missing = messages.missing(r["practice_code"] for r in rows)
        if missing:
            files.notes.append(missing_details_advice(missing))
    sms, letters = plan_messages(rows, messages, achievement_date)
    with swapped_folder(folder, ours=_is_message_file) as staging:
        for practice, texts in sorted(sms.items()):
            name = f"{safe_file_name(practice, 'practice')}-sms.csv"
            files.written.append(write_rows_csv(staging / name, SMS_COLUMNS, texts))
        for practice, printed in sorted(letters.items()):
            name = f"{safe_file_name(practice, 'practice')}-letters.csv"
            files.written.append(write_rows_csv(staging / name, LETTER_COLUMNS, printed))
    files.written = [folder / p.name for p in files.written]
    return files


def _is_message_file(name: str) -> bool:
    return name.endswith(("-sms.csv", "-letters.csv"))
