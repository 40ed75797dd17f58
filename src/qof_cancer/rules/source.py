"""Read a YAML file (rules, scheme, settings, plan, manifest), keeping the line of every value so that
errors can name it.

Every YAML file the tool reads comes through `load_document`, with limits a hand-written settings file
never meets: at most `MAX_BYTES`, nesting at most `MAX_DEPTH` deep, no anchors or aliases (nine levels of
`*alias` expand to billions of values: the "billion laughs"), UTF-8 only. A file past a limit is a user
error naming it, not a traceback or an exhausted machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qof_cancer.errors import RuleFileError

__all__ = [
    "Document",
    "load_document",
    "load_yaml",
    "bundled_indicator_paths",
    "bundled_years_path",
    "MAX_BYTES",
    "MAX_DEPTH",
]

_HERE = Path(__file__).parent
Path_ = tuple[str | int, ...]
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data, its path, and the line each value starts on."""

    path: str
    data: Any
    lines: dict[Path_, int] = field(repr=False)

    def line(self, *where: str | int) -> int | None:
        """The line of the value at `where`, or of its nearest enclosing value."""
        key: Path_ = tuple(where)
        while key not in self.lines and key:
            key = key[:-1]
        return self.lines.get(key)

    def error(self, where: Path_, problem: str) -> RuleFileError:
        """A user error naming this file, the line of `where` and the dotted field name."""
        dotted = ".".join(str(p) for p in where) or "(top)"
        return RuleFileError(self.path, self.line(*where), dotted, problem)


def load_document(path: str | Path, what: str = "") -> Document:
    """Parse `path` as YAML; a syntax error, an alias, a file too large or too deep, or text that is not
    UTF-8 becomes a RuleFileError naming the file (and the line where there is one). `what` names the
    option the file came from (`--scheme`), for the message."""
    path = Path(path)
    name = f"{what} {path}" if what else str(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise RuleFileError(name, None, "(file)", f"cannot be read: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise RuleFileError(name, None, "(file)", f"larger than {MAX_BYTES // 1024} KB: not a settings file?")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RuleFileError(name, line, "(encoding)", "not UTF-8 text: save the file as UTF-8") from None
    try:
        loader = yaml.SafeLoader(text)  # the reader refuses control characters here
    except yaml.YAMLError as exc:
        raise RuleFileError(name, None, "(text)", str(exc).splitlines()[0]) from None
    loader.name = name  # errors raised while building name the file, not "<unicode string>"
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = _construct(loader, node, (), lines, set()) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise RuleFileError(name, line, "(syntax)", str(getattr(exc, "problem", exc))) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # a date like 2025-02-31, a huge number
        raise RuleFileError(name, None, "(value)", _value_problem(exc)) from None
    finally:
        loader.dispose()
    return Document(name, data, lines)


def load_yaml(path: str | Path, what: str = "") -> Any:
    """The data of a YAML file read with `load_document`'s limits."""
    return load_document(path, what).data


def _value_problem(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return f"nested more than {MAX_DEPTH} deep"
    return f"a value YAML cannot read ({str(exc).splitlines()[0][:80]})"


def _construct(
    loader: yaml.SafeLoader, node: yaml.Node, where: Path_, lines: dict[Path_, int], seen: set[int]
) -> Any:
    line = node.start_mark.line + 1
    if id(node) in seen:
        raise RuleFileError(
            loader.name, line, _dotted(where), "anchors and aliases (& and *) are not allowed"
        )
    if len(where) > MAX_DEPTH:
        raise RuleFileError(
            loader.name, line, _dotted(where[:3]) + "...", f"nested more than {MAX_DEPTH} deep"
        )
    lines[where] = line
    if isinstance(node, yaml.MappingNode):
        seen.add(id(node))
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.MappingNode | yaml.SequenceNode):
                raise RuleFileError(
                    loader.name, key_node.start_mark.line + 1, _dotted(where), "a key must be text"
                )
            key = loader.construct_object(key_node)
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                raise RuleFileError(
                    loader.name,
                    key_node.start_mark.line + 1,
                    ".".join(map(str, (*where, key))),
                    "duplicate key",
                )
            out[key] = _construct(loader, value_node, (*where, key), lines, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        seen.add(id(node))
        return [_construct(loader, item, (*where, i), lines, seen) for i, item in enumerate(node.value)]
    return loader.construct_object(node)


def _dotted(where: Path_) -> str:
    return ".".join(str(p) for p in where) or "(top)"


def bundled_years_path() -> Path:
    return _HERE / "years.yaml"


def bundled_indicator_paths() -> list[Path]:
    return sorted((_HERE / "indicators").glob("*.yaml"))
