"""The files of a code-list release, given as a zip, an unpacked folder or one file, read as tables.

NHS Digital ships the Primary Care Domain supporting CSVs in Windows-1252 (cp1252) and the RF2 files in
UTF-8. Each file is checked as UTF-8 first and read as cp1252 when it is not valid UTF-8: text that is
valid UTF-8 and meant as cp1252 would need byte pairs that no real term contains.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from qof_cancer.errors import InputError, UserError

__all__ = ["Release", "ReleaseFile", "open_release", "read_table", "release_date_in"]

_CHUNK = 1 << 20
# Zip bombs: a member is read as a stream (never whole into memory) and refused past these. The largest
# RF2 file a code-list import reads (a full Description snapshot) is under 1 GB, and text compresses
# about 10 to 1; a 400 MB member of zeros compresses 1000 to 1.
MAX_MEMBER_BYTES = 4 * 1024**3
MAX_RATIO = 200
_RATIO_FROM = 16 * _CHUNK  # small members may compress well: the ratio counts only past 16 MB


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release: its base name, where it is (for messages) and how to open it."""

    name: str
    where: str
    opener: Callable[[], IO[bytes]]


@dataclass(frozen=True)
class Release:
    """All files of a release, in a stable order."""

    path: Path
    files: tuple[ReleaseFile, ...]

    def find(self, pattern: str) -> list[ReleaseFile]:
        """Files whose base name matches the regular expression `pattern` (case-insensitive)."""
        rx = re.compile(pattern, re.IGNORECASE)
        return [f for f in self.files if rx.fullmatch(f.name)]


def open_release(path: str | Path) -> Release:
    """The files under `path`: a zip archive, a folder (searched recursively) or a single file."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file or folder")
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file())
        files = [ReleaseFile(p.name, str(p), _file_opener(p)) for p in found]
    elif zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.filename)
                names = [i.filename for i in infos]
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{path}: not a readable zip archive: {exc}") from None
        files = [ReleaseFile(n.rsplit("/", 1)[-1], f"{path}!{n}", _zip_opener(path, n)) for n in names]
        for info in infos:
            _check_member(path, info)
    else:
        files = [ReleaseFile(path.name, str(path), _file_opener(path))]
    return Release(path, tuple(files))


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _check_member(archive: Path, info: zipfile.ZipInfo) -> None:
    where = f"{archive}!{info.filename}"
    if info.file_size > MAX_MEMBER_BYTES:
        raise InputError(f"{where}: unpacks to {info.file_size:,} bytes, more than any release file")
    if info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise InputError(
            f"{where}: compressed more than {MAX_RATIO} to 1: not a code-list release (a zip bomb?)"
        )


class _Member(io.RawIOBase):
    """A zip member as a stream that stops past the declared size (the header may lie) or the limit."""

    def __init__(self, archive: Path, member: str):
        self._zf = zipfile.ZipFile(archive)
        info = self._zf.getinfo(member)
        self._fh = self._zf.open(info)
        self._where = f"{archive}!{member}"
        self._limit = min(info.file_size, MAX_MEMBER_BYTES)
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        try:
            data = self._fh.read(len(buffer))
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise InputError(f"{self._where}: the zip member is damaged: {exc}") from None
        self._read += len(data)
        if self._read > self._limit:
            raise InputError(f"{self._where}: unpacks to more than its declared size: a damaged archive?")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._fh.close()
            self._zf.close()
        super().close()


def _zip_opener(archive: Path, member: str) -> Callable[[], IO[bytes]]:
    return lambda: io.BufferedReader(_Member(archive, member), _CHUNK)


def _encoding_of(file: ReleaseFile) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with file.opener() as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    except OSError as exc:
        raise InputError(f"{file.where}: cannot be read: {exc}") from None
    return "utf-8-sig"


def _checked(reader, file: ReleaseFile) -> Iterator[list[str]]:
    """The reader's rows; a field past the csv module's 128 KB limit (or a NUL byte) names the line."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{file.where}: line {reader.line_num}: cannot be read: {exc}") from None
        yield cells


def read_table(
    file: ReleaseFile,
    required: dict[str, tuple[str, ...]],
    optional: dict[str, tuple[str, ...]] | None = None,
    delimiter: str | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a delimited text file with a header, as (line number, {field: value}) pairs.

    `required` and `optional` map the field names used here to the header names accepted for them
    (matched ignoring case, spaces and underscores). The delimiter is a tab when the header line
    holds one, else a comma, unless given. Values are stripped of surrounding spaces.
    """
    encoding = _encoding_of(file)
    with file.opener() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        header_line = text.readline()
        delim = delimiter or ("\t" if "\t" in header_line else ",")
        header = next(csv.reader([header_line], delimiter=delim), [])
        index = _match_header(file, header, required, optional or {})
        # RF2 text is never quoted; a stray '"' in a term must not swallow the following lines.
        quoting = csv.QUOTE_NONE if delim == "\t" else csv.QUOTE_MINIMAL
        reader = csv.reader(text, delimiter=delim, quoting=quoting)
        for cells in _checked(reader, file):
            line = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                hint = " (a comma inside a term? use the _nc file, which has none)" if delim == "," else ""
                raise InputError(
                    f"{file.where}: line {line}: {len(cells)} fields where the header has {len(header)}{hint}"
                )
            yield line, {key: cells[i].strip() for key, i in index.items()}


def _norm(name: str) -> str:
    return re.sub(r"[\s_]+", "", name.strip().lstrip("\ufeff")).lower()


def _match_header(
    file: ReleaseFile,
    header: list[str],
    required: dict[str, tuple[str, ...]],
    optional: dict[str, tuple[str, ...]],
) -> dict[str, int]:
    positions = {_norm(h): i for i, h in enumerate(header)}
    index: dict[str, int] = {}
    for key, names in (*required.items(), *optional.items()):
        for name in names:
            if _norm(name) in positions:
                index[key] = positions[_norm(name)]
                break
        else:
            if key in required:
                raise InputError(
                    f"{file.where}: line 1: no {names[0]} column (found: {', '.join(header) or 'nothing'})"
                )
    return index


def release_date_in(name: str) -> str | None:
    """The release date (YYYY-MM-DD) a release file or archive name carries, if any.

    RF2 files end `_<YYYYMMDD>.txt`, the TRUD archive `_<YYYYMMDD>000000Z.zip`, the supporting CSV
    `_1000230_<YYYYMMDD>.csv` and the portal files start `<YYYYMMDD>_`.
    """
    for rx in (r"_(\d{8})(?:T?000000Z)?(?:_nc)?\.\w+$", r"^(\d{8})_", r"_(\d{8})T\d{6}Z"):
        m = re.search(rx, name, re.IGNORECASE)
        if m and "19000101" < m.group(1) < "21000101":
            d = m.group(1)
            return f"{d[:4]}-{d[4:6]}-{d[6:]}"
    return None
