"""warehouse.booleans on its own: boolean aggregates and conditions made 0/1 values choose what the
booleans chose, NULLs included, when read as conditions (run on DuckDB, both queries side by side)."""

from __future__ import annotations

import duckdb
import sqlglot

from qof_cancer.warehouse.booleans import without_booleans

# Groups: all true, mixed, all false, a NULL among trues, a NULL among falses, only NULL, no rows (a
# LEFT JOIN's unmatched row, as a patient without records meets the events).
ROWS = [(1, 3), (1, 4), (2, 3), (2, -1), (3, -1), (3, -2), (4, 3), (4, None), (5, -1), (5, None), (6, None)]
QUERY = """
SELECT g,
  CASE WHEN any_pos THEN 'y' ELSE 'n' END AS any_pos,
  CASE WHEN all_pos THEN 'y' ELSE 'n' END AS all_pos,
  CASE WHEN any_big THEN 'y' ELSE 'n' END AS any_big,
  CASE WHEN NOT latest_early THEN 'y' ELSE 'n' END AS not_latest_early,
  CASE WHEN one THEN 'y' ELSE 'n' END AS one
FROM (
  SELECT k.g,
    bool_or(t.x > 0) AS any_pos,
    bool_and(t.x > 0) AS all_pos,
    COALESCE(bool_or(t.x > 3), FALSE) AS any_big,
    COALESCE(MAX(t.x) <= 3, FALSE) AS latest_early,
    TRUE AS one
  FROM keys AS k LEFT JOIN t ON t.g = k.g
  GROUP BY k.g
) AS f
ORDER BY g
"""


def _run(sql: str) -> list[tuple]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (g INTEGER, x INTEGER)")
    con.executemany("INSERT INTO t VALUES (?, ?)", ROWS)
    con.execute("CREATE TABLE keys AS SELECT * FROM range(1, 8) AS r(g)")  # 7 has no rows in t
    return con.execute(sql).fetchall()


def test_the_rewrite_chooses_what_the_booleans_chose():
    tree = sqlglot.parse_one(QUERY, read="duckdb")
    rewritten = without_booleans(tree)
    inner = rewritten.find(sqlglot.exp.Subquery).this.sql("duckdb")
    assert "BOOL_" not in inner.upper() and "TRUE" not in inner.upper()
    assert "MIN(CASE WHEN t.x > 0 THEN 1 WHEN NOT t.x > 0 THEN 0 END)" in inner
    original = _run(tree.sql("duckdb"))
    assert len(original) == 7 and len({r[1:] for r in original}) > 3  # the groups differ
    assert _run(rewritten.sql("duckdb")) == original
