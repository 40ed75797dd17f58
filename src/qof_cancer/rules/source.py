"""Read a YAML rule file, keeping the line of every value so that errors can name it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qof_cancer.errors import RuleFileError

__all__ = ["Document", "load_document", "bundled_indicator_paths", "bundled_years_path"]

_HERE = Path(__file__).parent
Path_ = tuple[str | int, ...]


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


def load_document(path: str | Path) -> Document:
    """Parse `path` as YAML; a syntax error becomes a RuleFileError with the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(str(path), None, "(file)", f"cannot be read: {exc.strerror}") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = _construct(loader, node, (), lines) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise RuleFileError(str(path), line, "(syntax)", str(getattr(exc, "problem", exc))) from None
    finally:
        loader.dispose()
    return Document(str(path), data, lines)


def _construct(loader: yaml.SafeLoader, node: yaml.Node, where: Path_, lines: dict[Path_, int]) -> Any:
    lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                raise RuleFileError(
                    loader.name,
                    key_node.start_mark.line + 1,
                    ".".join(map(str, (*where, key))),
                    "duplicate key",
                )
            out[key] = _construct(loader, value_node, (*where, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, item, (*where, i), lines) for i, item in enumerate(node.value)]
    return loader.construct_object(node)


def bundled_years_path() -> Path:
    return _HERE / "years.yaml"


def bundled_indicator_paths() -> list[Path]:
    return sorted((_HERE / "indicators").glob("*.yaml"))
