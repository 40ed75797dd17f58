"""Paging and sorting for the long pages: where a page sits in a list, and one page of a table.

Tables kept in the results file are paged in SQL (`sql_page`); tables held in memory (screening) as Arrow
(`arrow_page`). Sort columns are checked against the table's own columns before they reach SQL.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from qof_cancer.errors import UserError

__all__ = ["PAGE_SIZE", "Paging", "paging", "page_number", "sort_options", "arrow_page", "sql_order"]

PAGE_SIZE = 50

Paging = dict[str, int]


def paging(total: int, page: int, size: int = PAGE_SIZE) -> Paging:
    """Where a page sits in a list: its number, the number of pages, the rows shown (1-based)."""
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    first = (page - 1) * size
    return {
        "page": page,
        "pages": pages,
        "size": size,
        "first": first + 1 if total else 0,
        "last": min(first + size, total),
        "total": total,
        "offset": first,
    }


def page_number(raw: str | None, key: str = "page") -> int:
    """A page number from the query string (1 when absent)."""
    text = (raw or "1").strip()
    try:
        number = int(text)
    except ValueError:
        raise UserError(f"{key} {text!r}: expected a page number") from None
    if number < 1:
        raise UserError(f"{key}: pages start at 1")
    return number


def sort_options(params: Any, columns: list[str]) -> tuple[str | None, str]:
    """(sort column or None, "asc" or "desc") from the query string, checked against `columns`."""
    sort = params.get("sort") or None
    if sort is not None and sort not in columns:
        raise UserError(f"sort {sort!r}: choose one of {', '.join(columns)}")
    direction = (params.get("dir") or "asc").lower()
    if direction not in ("asc", "desc"):
        raise UserError(f"dir {direction!r}: choose asc or desc")
    return sort, direction


def sql_order(sort: str | None, direction: str, default: str) -> str:
    """An ORDER BY list: the chosen (checked) column first, then the page's default order."""
    if sort is None:
        return default
    return f'"{sort}" {direction.upper()} NULLS LAST, {default}'


def arrow_page(
    table: pa.Table,
    page: int,
    sort: str | None = None,
    direction: str = "asc",
    equals: dict[str, Any] | None = None,
    size: int = PAGE_SIZE,
) -> tuple[list[dict], Paging]:
    """One page of an Arrow table, filtered on equal columns and sorted."""
    for column, value in (equals or {}).items():
        if value not in (None, "") and column in table.column_names:
            table = table.filter(pc.equal(table[column], value))
    if sort is not None:
        table = table.sort_by([(sort, "ascending" if direction == "asc" else "descending")])
    where = paging(table.num_rows, page, size)
    return table.slice(where["offset"], size).to_pylist(), where
