"""Every condition type of the rule model has a handler in every engine and in every wording of it.

A new condition type (as R1c's `latest_record_on_or_before` was) must reach the SQL compiler, the
reference evaluator, the dashboard's plain-English trace and the generated docs, or this test fails.
"""

from __future__ import annotations

import typing
from datetime import date

import pytest

from qof_cancer.engine import compiler, reference
from qof_cancer.model import load_ruleset
from qof_cancer.model.dates import parse_duration
from qof_cancer.model.nodes import CONDITION_TYPES
from qof_cancer.outputs import docs
from qof_cancer.web import explain

# One instance of each condition type, with plausible parameters.
_PARAMS = {
    "date": date(2021, 1, 1),
    "anchor": "PPED",
    "months_before": 12,
    "clusters": ("MDRV_COD",),
    "within": parse_duration("12 months"),
    "min_gap_days": 7,
    "since": "since_diagnosis",
}


def _instance(kind: type) -> object:
    hints = typing.get_type_hints(kind)
    return kind(**{name: _PARAMS[name] for name in hints})


@pytest.mark.parametrize("name", sorted(CONDITION_TYPES))
def test_every_condition_type_has_a_handler_everywhere(name):
    kind = CONDITION_TYPES[name]
    node = _instance(kind)
    period = load_ruleset().period("2023-24", None, date(2026, 6, 1))
    assert kind in compiler.HANDLERS, f"no SQL handler for {name}"
    assert compiler.compile_condition(node, compiler._Ctx(period)) is not None
    assert kind in explain._WORDS, f"no plain-English wording for {name}"
    assert kind in docs._WORDS, f"no docs wording for {name}"
    facts = reference._Facts(date(2022, 6, 1), date(2000, 1, 1), {"MDRV_COD": [date(2022, 9, 1)]})
    assert reference._holds(node, facts, period) in (True, False)  # raises TypeError for an unknown type
    assert explain.condition_words(node, facts, period)
    assert docs.describe_condition(node)


@pytest.mark.parametrize("name", sorted(CONDITION_TYPES))
def test_every_condition_type_renders_for_every_engine_and_dialect(name):
    """Each handler's SQL renders, and parses back, in every engine's dialect (DuckDB, Spark, PostgreSQL
    through its rewrite passes) and every dialect `qof-cancer sql` writes: a handler built from a node
    sqlglot cannot render for one of them fails here, not in a warehouse."""
    import sqlglot
    from sqlglot import exp

    from qof_cancer.inputs.postgres import to_postgres
    from qof_cancer.warehouse.script import DIALECTS

    node = _instance(CONDITION_TYPES[name])
    period = load_ruleset().period("2023-24", None, date(2026, 6, 1))
    select = exp.select(exp.alias_(compiler.compile_condition(node, compiler._Ctx(period)), "holds"))
    rendered = {dialect: select.sql(dialect) for dialect in DIALECTS}
    rendered["postgres"] = to_postgres(select)
    for dialect, text in rendered.items():
        assert sqlglot.parse_one(text, read=dialect).find(exp.Select) is not None, dialect
