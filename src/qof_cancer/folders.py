"""Output files and folders: owner-only, written atomically, a whole folder staged and moved in at the end.

Every file the tool writes holds patient-level rows or is read beside them, so files are 0600 and the
folders made for them 0700 (decisions.md, 17), whichever command writes them: `run`, `import`, the
messages of the worklist, the dashboard's uploads.

- `atomic_path`: one file, written beside its target and renamed over it.
- `staged_run_folder`: every file of a run (or an import) is written into a hidden staging folder and
  moved in at the end. A run killed part way (`kill -9`, a full disk, a bad input found late) leaves the
  previous run's files as they were, never a mix of two runs; the staging folder it leaves behind is
  removed by the next run, along with the half-written temporary files of `atomic_path`. When a run
  finishes, its files are moved into place one rename each (milliseconds), and files an earlier run
  wrote that this one did not (a `rejects.csv`, a feature table) are removed, so the folder holds one
  run. Which files are the tool's is kept in `.qof-cancer-files`: nothing else in the folder is touched.
- `swapped_folder`: a folder that is the tool's as a whole (`messages/`) is written in a staging folder
  beside it and swapped in with two renames, so it is either the old folder or the new one, whole.

This module sits at the bottom of the layers so that importers and outputs share one mechanism.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "make_private_dir",
    "atomic_path",
    "staged_run_folder",
    "swapped_folder",
    "clear_leftovers",
    "MANIFEST",
]

MANIFEST = ".qof-cancer-files"
_STAGING = ".staging-"


def make_private_dir(folder: Path) -> Path:
    """Create `folder` and any missing parents with mode 0700 (folders that already exist are left)."""
    missing = []
    here = Path(folder)
    while not here.exists():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)  # mkdir's mode is cut by the umask
    return Path(folder)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path (mode 0600) in the target's folder; on success rename it over the target."""
    make_private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o600)  # a writer (DuckDB's COPY, openpyxl) may have made the file afresh
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        os.chmod(staging / rel, 0o600)  # whatever wrote it (pyarrow, DuckDB) may have used the umask
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


@contextmanager
def swapped_folder(target: Path, ours: Callable[[str], bool]) -> Iterator[Path]:
    """Yield a private staging folder beside `target`; on success it replaces `target` whole.

    `ours(name)` says which files of the old folder are the tool's: the others (a user's own file) are
    carried into the new folder, so only the tool's files are replaced. On failure `target` is left as
    it was. The swap is two renames (the old folder out, the new one in): a kill in the moment between
    them leaves no `target` and the old folder under a staging name, removed by the next write; never a
    mix of two runs."""
    target = Path(target)
    parent = make_private_dir(target.parent)
    clear_leftovers(parent)
    staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING}{target.name}-", dir=parent))
    retired = Path(tempfile.mkdtemp(prefix=f"{_STAGING}{target.name}-old-", dir=parent))
    old = retired / target.name
    try:
        yield staging
        if target.is_dir():
            os.replace(target, old)
        try:
            os.replace(staging, target)
        except BaseException:
            if old.is_dir():
                os.replace(old, target)
            raise
        if old.is_dir():
            for kept in old.iterdir():
                if not ours(kept.name) and not (target / kept.name).exists():
                    os.replace(kept, target / kept.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
