"""Message files for the worklist: per practice, a bulk-SMS CSV and a list of letters to send.

`messages/<PRACTICE>-sms.csv` has exactly the columns bulk SMS tools take (nhs_number, mobile, message);
`messages/<PRACTICE>-letters.csv` lists the patients who need a letter instead, with the letter text and
the code to record once it is sent. Files from an earlier run that this run did not write are removed,
so the folder never mixes two runs. No file is written for a practice without details, nor at all when the
run's achievement date has passed; `MessageFiles.notes` says why, in words for the terminal. The practice code comes from the data, so it names a file only
through `sanitise.safe_file_name`: no code can write outside `messages/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa

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
    written = files.written
    for practice, texts in sorted(sms.items()):
        written.append(
            write_rows_csv(folder / f"{safe_file_name(practice, 'practice')}-sms.csv", SMS_COLUMNS, texts)
        )
    for practice, printed in sorted(letters.items()):
        written.append(
            write_rows_csv(
                folder / f"{safe_file_name(practice, 'practice')}-letters.csv", LETTER_COLUMNS, printed
            )
        )
    if folder.is_dir():
        for stale in [*folder.glob("*-sms.csv"), *folder.glob("*-letters.csv")]:
            if stale not in written:
                stale.unlink()
    return files
