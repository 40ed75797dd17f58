"""A rule set is frozen: asking for a year after the rule files computes it without changing the set."""

from __future__ import annotations

from qof_cancer.model import load_ruleset
from qof_cancer.worklist.scenarios import previous_year


def test_a_later_year_follows_by_rule_without_changing_the_rule_set():
    ruleset = load_ruleset()
    before = dict(ruleset.years)
    last = max(before.values(), key=lambda y: y.pped)
    start = last.ppsd.year + 3
    later_id = f"{start}-{(start + 1) % 100:02d}"
    later = ruleset.year(later_id)
    assert later.id == later_id and later.ppsd.year == start
    assert ruleset.years == before  # nothing added to the frozen rule set's years
    assert ruleset.year(later_id) == later  # and asking again gives the same year
    # The year before a computed year is computed too, so the PCA comparison still has last year.
    assert previous_year(ruleset, later).id == f"{start - 1}-{start % 100:02d}"
    first = min(before.values(), key=lambda y: y.ppsd)
    assert previous_year(ruleset, first) is None
