"""The rule model: frozen, validated objects built from the rule files. Knows nothing of engines or I/O."""

from qof_cancer.model.dates import Duration, add_months, parse_duration
from qof_cancer.model.nodes import Indicator, Rule
from qof_cancer.model.ruleset import RuleSet, load_ruleset
from qof_cancer.model.years import Period, QofYear, YearIndicator

__all__ = [
    "Duration",
    "add_months",
    "parse_duration",
    "Indicator",
    "Rule",
    "RuleSet",
    "load_ruleset",
    "Period",
    "QofYear",
    "YearIndicator",
]
