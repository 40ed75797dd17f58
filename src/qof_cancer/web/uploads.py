"""Uploaded inputs: each upload in a folder of its own, a size limit, and nothing kept that is not shown.

An upload is saved into a fresh private folder (`uploads/<random>/`, mode 0700, files 0600), so two
uploads can never write into each other's files. Only one run happens at a time: an upload that arrives
while a run is under way is refused before its body is read, and one refused after saving (a race with
another upload) is deleted. When a run from an upload finishes, every other upload folder is deleted;
when it fails, its own folder is. The dashboard therefore keeps exactly the files behind what it shows.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from starlette.datastructures import UploadFile

from qof_cancer.errors import UserError
from qof_cancer.outputs.files import make_private_dir

__all__ = [
    "UPLOAD_SUFFIXES",
    "DEFAULT_LIMIT_BYTES",
    "UploadRefused",
    "new_upload_folder",
    "save_upload",
    "discard",
    "prune_uploads",
    "scrub_paths",
]

UPLOAD_SUFFIXES = (".csv", ".parquet")
# A large practice's events extract is a few hundred MB; past this an upload is refused, not stored.
DEFAULT_LIMIT_BYTES = int(os.environ.get("QOF_CANCER_UPLOAD_LIMIT_MB", "2048")) * 1024 * 1024
_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\](?:[^\s/\\'\"]+[/\\])+([^\s/\\'\":]+)")


class UploadRefused(UserError):
    """An upload the dashboard will not take; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def new_upload_folder(root: Path) -> Path:
    """A new, empty, private folder under `root` whose name no other upload can have."""
    make_private_dir(root)
    return Path(tempfile.mkdtemp(prefix="upload-", dir=root))


async def save_upload(item: object, field: str, folder: Path, limit: int) -> Path:
    """Save one form file as `folder/<field><suffix>` (0600), refusing it past `limit` bytes."""
    if not isinstance(item, UploadFile) or not item.filename:
        raise UploadRefused(f"choose a {field} file (CSV or Parquet)")
    suffix = Path(item.filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadRefused(f"the {field} file must be .csv or .parquet, not {suffix or 'no extension'}")
    target = folder / f"{field}{suffix}"
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := await item.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise UploadRefused(f"the {field} file is larger than the limit of {_mb(limit)}", 413)
            out.write(chunk)
    return target


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB"


def discard(folder: Path | None) -> None:
    """Delete an upload folder and everything in it (no error when it is already gone)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def prune_uploads(root: Path, keep: Path | None) -> None:
    """Delete every upload folder under `root` except `keep`."""
    if not root.is_dir():
        return
    for child in root.iterdir():
        if keep is None or child.resolve() != keep.resolve():
            if child.is_dir():
                discard(child)
            else:
                child.unlink(missing_ok=True)


def scrub_paths(message: str) -> str:
    """A message with every file path cut to its last part, so no page or API error shows where the
    server keeps its files (`/srv/x/uploads/upload-ab12/patients.csv: ...` -> `patients.csv: ...`)."""
    return _PATH.sub(lambda m: m.group(1), message)
