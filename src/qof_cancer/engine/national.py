"""The national counts: a run's outcomes in the layout of NHS Digital's INDICATOR_VALUES extract.

Per practice and indicator, one row per field the national extract returns: `Cancer Register`, then one
field per national rule of the indicator (exclusions and PCAs, named in the rule files, in rule order),
then `Numerator` and `Denominator`. Each rule field counts the patients that rule decided (first match),
so the fields add up to the register. The field names come from the rule files, not from this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyarrow as pa

from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = [
    "INDICATOR_VALUES_SCHEMA",
    "REGISTER_FIELD",
    "NUMERATOR_FIELD",
    "DENOMINATOR_FIELD",
    "indicator_fields",
    "indicator_values",
]

REGISTER_FIELD, NUMERATOR_FIELD, DENOMINATOR_FIELD = "Cancer Register", "Numerator", "Denominator"
INDICATOR_VALUES_SCHEMA = pa.schema(
    [
        ("practice_code", pa.string()),
        ("achievement_date", pa.date32()),
        ("indicator", pa.string()),
        ("field_name", pa.string()),
        ("value", pa.int64()),
    ]
)


def indicator_fields(ruleset: RuleSet, indicator_id: str) -> list[str]:
    """The INDICATOR_VALUES field names of one indicator, in the order they are written."""
    ind = ruleset.indicator(indicator_id)
    if ind.kind == "register":
        return [REGISTER_FIELD]
    named = [
        r.national.name
        for r in ind.rules
        if r.national and r.national.name and r.national.type in ("exclusion", "pca")
    ]
    return [REGISTER_FIELD, *dict.fromkeys(named), NUMERATOR_FIELD, DENOMINATOR_FIELD]


def indicator_values(
    ruleset: RuleSet,
    period: Period,
    counts: Iterable[tuple[str, str, str, int]],
    practices: Iterable[str],
) -> list[dict]:
    """INDICATOR_VALUES rows for every practice (a practice with no register patient gets zeros)."""
    by_rule: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for practice, indicator, rule, n in counts:
        by_rule[(practice, indicator)][rule] = n
    rows = []
    register_id = ruleset.register.id
    for practice in sorted(set(practices)):
        register = sum(by_rule[(practice, register_id)].values())
        for ind in ruleset.indicators:
            decided = by_rule[(practice, ind.id)]
            values: dict[str, int] = dict.fromkeys(indicator_fields(ruleset, ind.id), 0)
            values[REGISTER_FIELD] = register
            for rule in ind.rules:
                n = decided.get(ind.rule_label(rule), 0)
                kind = rule.national.type if rule.national else None
                if kind in ("exclusion", "pca") and rule.national.name:
                    values[rule.national.name] += n
                # Numerator and denominator follow from the outcomes, as the summary's do.
                if rule.outcome == "met":
                    values[NUMERATOR_FIELD] += n
                if rule.outcome in ("met", "not_met"):
                    values[DENOMINATOR_FIELD] += n
            rows += [
                {
                    "practice_code": practice,
                    "achievement_date": period.ach,
                    "indicator": ind.id,
                    "field_name": name,
                    "value": value,
                }
                for name, value in values.items()
            ]
    return rows
