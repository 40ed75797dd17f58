"""Read FHIR R4 JSON: Bundles, single resources and bulk-export NDJSON, from files or folders, streamed.

Yields one `Located` resource at a time with where it came from: NDJSON by line (`line 12`), JSON
documents by JSON pointer (`/entry/3/resource`). NDJSON is read line by line, so a file of millions of
resources is never held whole; a Bundle file is parsed whole (one Bundle per patient, as Synthea and GP
Connect write them, is small). Lines or files that are not JSON are reported, and reading goes on.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from qof_cancer.errors import InputError

__all__ = ["Located", "Unreadable", "find_files", "read_resources"]

NDJSON_SUFFIXES = (".ndjson", ".jsonl")
JSON_SUFFIXES = (".json", *NDJSON_SUFFIXES)
MAX_BUNDLE_DEPTH = 16  # a Bundle in a Bundle is rare; sixteen deep is an attack, not an export


@dataclass(frozen=True)
class Located:
    """A resource and where it is. `urls`: the enclosing Bundle's fullUrl -> entry resource reference;
    `full_url`: the resource's own fullUrl in its Bundle."""

    file: str
    position: str
    resource: dict
    urls: dict[str, str] = field(default_factory=dict)
    full_url: str | None = None


@dataclass(frozen=True)
class Unreadable:
    """A line or a file that is not JSON (or not a FHIR resource), with the reason."""

    file: str
    position: str
    reason: str
    value: str = ""


def _stem(path: Path) -> str:
    name = path.name.lower()
    return name[:-3] if name.endswith(".gz") else name


def find_files(paths: list[Path]) -> list[Path]:
    """The JSON and NDJSON files named, or found (recursively, sorted) in the folders named."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _stem(p).endswith(JSON_SUFFIXES))
            if not found:
                raise InputError(f"{path}: no .json or .ndjson files in this folder")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return out


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def _reference(fhir: dict) -> str | None:
    kind, rid = fhir.get("resourceType"), fhir.get("id")
    return f"{kind}/{rid}" if isinstance(kind, str) and isinstance(rid, str) and rid else None


def _walk(
    file: str, pointer: str, doc: object, urls: dict[str, str], full_url: str | None = None
) -> Iterator[Located | Unreadable]:
    """A resource, or a Bundle's entries (nested Bundles too), each with its JSON pointer."""
    if pointer.count("/entry/") > MAX_BUNDLE_DEPTH:
        yield Unreadable(file, pointer, f"Bundles nested more than {MAX_BUNDLE_DEPTH} deep")
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("resourceType"), str):
        yield Unreadable(file, pointer or "/", "not a FHIR resource (no resourceType)")
        return
    if doc["resourceType"] != "Bundle":
        yield Located(file, pointer or "/", doc, urls, full_url)
        return
    entries = doc.get("entry") or []
    if not isinstance(entries, list):
        yield Unreadable(file, f"{pointer}/entry", "Bundle.entry is not a list")
        return
    # fullUrl -> the entry's own reference, so `urn:uuid:...` and absolute references resolve in-bundle.
    local = dict(urls)
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
            full, ref = entry.get("fullUrl"), _reference(entry["resource"])
            if isinstance(full, str):
                local[full] = ref or full
    for i, entry in enumerate(entries):
        where = f"{pointer}/entry/{i}"
        if not isinstance(entry, dict) or "resource" not in entry:
            if isinstance(entry, dict) and "request" in entry:
                continue  # a transaction entry without a resource (a DELETE): nothing to read
            yield Unreadable(file, where, "Bundle entry has no resource")
            continue
        full = entry.get("fullUrl")
        yield from _walk(
            file, f"{where}/resource", entry["resource"], local, full if isinstance(full, str) else None
        )


def _ndjson(path: Path, fh: IO[bytes], advance: Callable[[int], None]) -> Iterator[Located | Unreadable]:
    name = str(path)
    for number, line in enumerate(fh, start=1):
        advance(len(line))
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield Unreadable(
                name, f"line {number}", f"not valid JSON: {exc}", line[:80].decode("utf-8", "replace")
            )
            continue
        for item in _walk(name, "", doc, {}):
            # A Bundle on one line: its entries are `line 3 /entry/0/resource`.
            where = f"line {number}" + ("" if item.position == "/" else f" {item.position}")
            yield (
                Located(name, where, item.resource, item.urls, item.full_url)
                if isinstance(item, Located)
                else Unreadable(name, where, item.reason, item.value)
            )


def read_resources(
    paths: list[Path], advance: Callable[[int], None] = lambda _n: None
) -> Iterator[Located | Unreadable]:
    """Every resource in the files, in file order. `advance(n)` is told the bytes read, for progress."""
    for path in paths:
        name = str(path)
        try:
            with _open(path) as fh:
                if _stem(path).endswith(NDJSON_SUFFIXES):
                    yield from _ndjson(path, fh, advance)
                    continue
                raw = fh.read()
        except (OSError, EOFError, zlib.error) as exc:  # EOFError: a truncated .gz
            reason = "the file ends early (a truncated .gz?)" if isinstance(exc, EOFError) else exc
            yield Unreadable(name, "/", f"cannot be read: {getattr(exc, 'strerror', None) or reason}")
            continue
        advance(len(raw))
        try:
            doc = json.loads(raw)
        except RecursionError:
            yield Unreadable(name, "/", "not readable JSON: nested too deep")
            continue
        except ValueError as exc:
            if "Extra data" in str(exc):  # several JSON documents, one a line: NDJSON named .json
                with _open(path) as fh:
                    yield from _ndjson(path, fh, lambda _n: None)
                continue
            yield Unreadable(name, "/", f"not valid JSON: {exc}")
            continue
        del raw
        yield from _walk(name, "", doc, {})
