"""Cancer site groups for CAN_COD codes, from the codes' terms by ordered term rules.

The groups are coarse on purpose (breast, lung, colorectal, prostate, haematological, melanoma, ...):
they decide whether two diagnosis codes describe the same tumour (the duplicate check) and give the
breakdowns in reports. The patterns are data, in `quality/data/site_rules.yaml`; the order they are
tried in is this module's. `build_sites()` applies the rules to the bundled `codes/data/CAN_COD.csv` and
writes `quality/data/cancer_sites.csv` (code, site, method); `python -m qof_cancer.quality.sites`
rebuilds it, and a test keeps the committed file in step with CAN_COD. The rules are described for
users in docs/data-quality.md.

How a term is classified, first match wins:
1. "History of" / "Personal history of" is removed; the rest is classified as below.
2. A metastasis or secondary whose term names where it came from ("... from malignant tumour of
   bladder", "... by direct extension from rectum") takes the site of that primary (method
   `metastasis_from`). Otherwise a metastasis takes the site of its histology where that names one
   (metastatic melanoma, lymphoma, osteosarcoma, ...; method `histology`), and else the group
   `secondary` (method `secondary`): the primary site is not in the term.
3. Histology that defines a group wherever it arises (method `histology`): haematological
   (lymphoma, leukaemia, myeloma, ...), melanoma, mesothelioma, sarcoma (bone and soft tissue).
4. Organ words (method `organ`), in the order of `organs` in site_rules.yaml: the more specific first (cervix before
   uterus, anus before skin, head and neck before lung).
5. Terms that name no site ("Malignant neoplastic disease", "carcinoma of unknown primary",
   "overlapping ... of ill-defined site", the `unspecified` patterns) are `unspecified` (method
   `unspecified`).
6. Anything else is `other` (method `default`).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from qof_cancer.codes import BUNDLED_DIR

__all__ = [
    "SITES",
    "SITES_FILE",
    "SiteMatch",
    "build_sites",
    "classify_term",
    "is_history_term",
    "load_sites",
    "write_sites",
]

SITES_FILE = Path(__file__).parent / "data" / "cancer_sites.csv"
RULES_FILE = Path(__file__).parent / "data" / "site_rules.yaml"
CAN_COD_FILE = BUNDLED_DIR / "CAN_COD.csv"

_HISTORY = re.compile(r"^\s*(?:personal\s+)?history\s+of\s+", re.IGNORECASE)
_TAG = re.compile(r"\s*\((?:disorder|finding|situation|morphologic abnormality|navigational concept)\)\s*$")
_METASTATIC = re.compile(
    r"metasta|secondary|by direct extension|by separate|carcinomatosis|disseminated|spread to|"
    r"involving .* by ",
    re.IGNORECASE,
)
_FROM = re.compile(r"\bfrom\s+(.*)$", re.IGNORECASE)
_TO = re.compile(r"^(.*?)\s+to\s+", re.IGNORECASE)
_OF = re.compile(r"\b(of|involving)\b", re.IGNORECASE)


def _rx(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words), re.IGNORECASE)


def _load_rules(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        # libyaml when PyYAML has it: the same document in a tenth of the time (this runs at import)
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


_RULES = _load_rules(RULES_FILE)
# Histology that defines the group wherever the tumour is (checked before organs).
HISTOLOGY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (group["site"], _rx(*group["patterns"])) for group in _RULES["histology"]
)
# Organ words, most specific first.
ORGAN_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (group["site"], _rx(*group["patterns"])) for group in _RULES["organs"]
)
_UNSPECIFIED = _rx(*_RULES["unspecified"])

# A term with no "of <site>" that no histology or organ rule placed names no site at all.
_NO_SITE = re.compile(r"^(?!.*\b(of|in|to)\b).*$", re.IGNORECASE)

SITES: tuple[str, ...] = tuple(
    dict.fromkeys(
        [name for name, _ in HISTOLOGY_RULES]
        + [name for name, _ in ORGAN_RULES]
        + ["secondary", "unspecified", "other"]
    )
)


@dataclass(frozen=True)
class SiteMatch:
    """The site group of one term and how it was decided (`method:pattern`)."""

    site: str
    method: str


def is_history_term(term: str) -> bool:
    """True for "History of ..." and "Personal history of ..." terms: a past cancer, not a new one."""
    return bool(_HISTORY.match(term or ""))


def _first(rules: Iterable[tuple[str, re.Pattern[str]]], text: str) -> tuple[str, str] | None:
    for site, pattern in rules:
        found = pattern.search(text)
        if found:
            return site, found.group(0).lower()
    return None


def classify_term(term: str) -> SiteMatch:
    """The site group of a CAN_COD term (see the module docstring for the rules)."""
    text = _TAG.sub("", _HISTORY.sub("", term or "")).strip()
    if not text:
        return SiteMatch("unspecified", "unspecified:no term")
    if _METASTATIC.search(text):
        source = _FROM.search(text)
        if source:
            hit = _first(HISTOLOGY_RULES, source.group(1)) or _first(ORGAN_RULES, source.group(1))
            if hit:
                return SiteMatch(hit[0], f"metastasis_from:{hit[1]}")
        # "Metastatic <tumour> to <site>": the tumour may name its primary; the site after "to" does not.
        before = _TO.match(text)
        primary = before.group(1) if before else text
        hit = _first(HISTOLOGY_RULES, primary)
        if hit:
            return SiteMatch(hit[0], f"histology:{hit[1]}")
        # Without "to", "of <site>" names where the secondary is ("Secondary malignant neoplasm of liver").
        if before or not _OF.search(primary):
            hit = _first(ORGAN_RULES, primary)
            if hit:
                return SiteMatch(hit[0], f"metastasis_of:{hit[1]}")
        return SiteMatch("secondary", "secondary:primary site not named")
    hit = _first(HISTOLOGY_RULES, text)
    if hit:
        return SiteMatch(hit[0], f"histology:{hit[1]}")
    hit = _first(ORGAN_RULES, text)
    if hit:
        return SiteMatch(hit[0], f"organ:{hit[1]}")
    found = _UNSPECIFIED.search(text)
    if found:
        return SiteMatch("unspecified", f"unspecified:{found.group(0).lower()}")
    if _NO_SITE.match(text):
        return SiteMatch("unspecified", "unspecified:no site in the term")
    return SiteMatch("other", "default:no rule matched")


def _read_terms(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [(row["code"].strip(), (row.get("term") or "").strip()) for row in csv.DictReader(fh)]


def build_sites(can_cod: Path = CAN_COD_FILE) -> list[tuple[str, str, str]]:
    """(code, site, method) for every code of a CAN_COD file with a `term` column, in code order."""
    rows = []
    for code, term in _read_terms(can_cod):
        match = classify_term(term)
        rows.append((code, match.site, match.method))
    return sorted(rows, key=lambda r: (len(r[0]), r[0]))


def write_sites(path: Path = SITES_FILE, can_cod: Path = CAN_COD_FILE) -> Path:
    """Write the site file for `can_cod` (the bundled CAN_COD by default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "site", "method"])
        writer.writerows(build_sites(can_cod))
    return path


@cache
def load_sites() -> dict[str, str]:
    """code -> site from the committed file."""
    with SITES_FILE.open(newline="", encoding="utf-8") as fh:
        return {row["code"]: row["site"] for row in csv.DictReader(fh)}


if __name__ == "__main__":  # python -m qof_cancer.quality.sites [OUT]
    out = write_sites(Path(sys.argv[1]) if len(sys.argv) > 1 else SITES_FILE)
    print(f"wrote {out}")
