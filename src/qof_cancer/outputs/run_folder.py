"""The run folder: every file of a run is written into a hidden staging folder and moved in at the end.

A run killed part way (`kill -9`, a full disk, a bad input found late) leaves the previous run's files
as they were, never a mix of two runs; the staging folder it leaves behind is removed by the next run,
along with the half-written temporary files of `atomic_path`. When a run finishes, its files are moved
into place one rename each (milliseconds), and files an earlier run wrote that this one did not (a
`rejects.csv`, a feature table) are removed, so the folder holds one run. Which files are the tool's is
kept in `.qof-cancer-files`: nothing else in the folder is touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qof_cancer.outputs.files import make_private_dir

__all__ = ["staged_run_folder", "clear_leftovers", "MANIFEST"]

MANIFEST = ".qof-cancer-files"
_STAGING = ".staging-"


def clear_leftovers(out: Path) -> None:
    """Remove what a killed run left in `out`: its staging folders and half-written temporary files."""
    if not out.is_dir():
        return
    for child in out.iterdir():
        if child.name.startswith(_STAGING) and child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(".") and child.name.endswith(".tmp") and child.is_file():
            child.unlink(missing_ok=True)


@contextmanager
def staged_run_folder(out: Path, owned: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a private staging folder inside `out`; on success move its files into `out`. `owned` names
    files that are the tool's even without a manifest (a folder from before there was one)."""
    out = make_private_dir(Path(out))
    clear_leftovers(out)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=out))
    try:
        yield staging
        _commit(staging, out, owned)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _commit(staging: Path, out: Path, owned: tuple[str, ...]) -> None:
    written = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
    for rel in written:
        target = out / rel
        make_private_dir(target.parent)
        os.replace(staging / rel, target)
    previous = out / MANIFEST
    before = list(owned)
    if previous.is_file():
        before += previous.read_text(encoding="utf-8").splitlines()
    now = {str(r) for r in written}
    for line in before:
        rel = Path(line)
        if line and line not in now and not rel.is_absolute() and ".." not in rel.parts:
            (out / rel).unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{MANIFEST}.", suffix=".tmp", dir=out)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("".join(f"{r}\n" for r in written))
    os.replace(tmp, previous)
