"""Message files for the worklist: per practice, a bulk-SMS CSV and a list of letters to send.

`messages/<PRACTICE>-sms.csv` has exactly the columns bulk SMS tools take (nhs_number, mobile, message);
`messages/<PRACTICE>-letters.csv` lists the patients who need a letter instead, with the letter text and
the code to record once it is sent. Files from an earlier run that this run did not write are removed,
so the folder never mixes two runs. The practice code comes from the data, so it names a file only
through `sanitise.safe_file_name`: no code can write outside `messages/`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa

from qof_cancer.outputs.files import write_rows_csv
from qof_cancer.sanitise import safe_file_name
from qof_cancer.worklist.messages import LETTER_COLUMNS, SMS_COLUMNS, MessageSet, plan_messages

__all__ = ["write_messages"]


def write_messages(worklist: pa.Table, out: str | Path, messages: MessageSet, today: date) -> list[Path]:
    """Write the SMS and letter files into `out/messages/`; return the paths written."""
    folder = Path(out) / "messages"
    sms, letters = plan_messages(worklist.to_pylist(), messages, today)
    written = []
    for practice, rows in sorted(sms.items()):
        written.append(
            write_rows_csv(folder / f"{safe_file_name(practice, 'practice')}-sms.csv", SMS_COLUMNS, rows)
        )
    for practice, rows in sorted(letters.items()):
        written.append(
            write_rows_csv(
                folder / f"{safe_file_name(practice, 'practice')}-letters.csv", LETTER_COLUMNS, rows
            )
        )
    if folder.is_dir():
        for stale in [*folder.glob("*-sms.csv"), *folder.glob("*-letters.csv")]:
            if stale not in written:
                stale.unlink()
    return written
