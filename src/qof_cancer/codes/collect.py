"""What an import gathers for one cluster, and the counts the manifest reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from qof_cancer.codes.snomed import check_concept_id
from qof_cancer.errors import InputError

__all__ = ["ClusterImport", "check_code"]


def check_code(value: str, where: str, line: int, column: str) -> str:
    """`value` when it is a SNOMED CT concept id, else an InputError naming file, line and value."""
    problem = check_concept_id(value)
    if problem:
        hint = ""
        if "E+" in value.upper() or "." in value:
            hint = " (opened and saved in a spreadsheet? long codes lose their last digits)"
        raise InputError(f"{where}: line {line}: {column} {value!r}: {problem}{hint}")
    return value


@dataclass
class ClusterImport:
    """One cluster as read from a source: its codes with terms, and what was dropped on the way.

    `concept_active` holds, for the codes whose SNOMED CT status the source states, whether the concept
    is active. Inactive concepts the refset still lists are kept: records coded while they were active
    still count.
    """

    cluster_id: str
    refset_id: str | None = None
    description: str = ""
    codes: dict[str, str] = field(default_factory=dict)
    concept_active: dict[str, bool] = field(default_factory=dict)
    duplicates_removed: int = 0
    _dropped: set[str] = field(default_factory=set)

    @property
    def seen(self) -> bool:
        """True when the source listed this cluster at all (members kept or retired)."""
        return bool(self.codes or self._dropped)

    def add(self, code: str, term: str = "") -> None:
        """A member: a code listed twice is kept once and counted as a duplicate."""
        if code in self.codes:
            self.duplicates_removed += 1
            if term and not self.codes[code]:
                self.codes[code] = term
        else:
            self.codes[code] = term

    def drop(self, code: str) -> None:
        """A member the refset has retired (active = 0): not kept."""
        self._dropped.add(code)

    def fill_terms(self, terms: dict[str, str]) -> None:
        """Give blank terms the term `terms` holds for the code."""
        for code, term in self.codes.items():
            if not term and terms.get(code):
                self.codes[code] = terms[code]

    def counts(self) -> dict[str, int | None]:
        """The manifest counts; None where the source does not say."""
        known = {c: self.concept_active[c] for c in self.codes if c in self.concept_active}
        unknown = len(self.codes) - len(known)
        return {
            "codes": len(self.codes),
            "active_concepts": sum(known.values()) if known else None,
            "inactive_concepts_kept": sum(not v for v in known.values()) if known else None,
            "concept_status_unknown": unknown if known else None,
            "retired_members_dropped": len(self._dropped - self.codes.keys()),
            "duplicates_removed": self.duplicates_removed,
        }
