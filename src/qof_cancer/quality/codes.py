"""The code lists the checks read: cancer-like codes outside CAN_COD, placeholder codes, sites and terms.

Everything here works on code lists (thousands of codes), never on patient rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa

from qof_cancer.codes import ClusterSet, load_clusters
from qof_cancer.quality.sites import classify_term, is_history_term, load_sites

__all__ = [
    "CANCERLIKE_CLUSTER",
    "PLACEHOLDER_CLUSTER",
    "GENERIC_CANCER_CODE",
    "CancerLikeCode",
    "load_cancer_like",
    "extra_clusters",
    "code_tables",
]

DATA = Path(__file__).parent / "data"
# Loaded into `events` beside the run's clusters. A practice may add its own local cancer-like codes as
# CANCERLIKE_COD.local.csv in the --codes folder: they join this cluster.
CANCERLIKE_CLUSTER = "CANCERLIKE_COD"
PLACEHOLDER_CLUSTER = "DQPLACEHOLDER_COD"
# Malignant neoplastic disease (disorder): the CAN_COD code for a cancer whose site is not known.
GENERIC_CANCER_CODE = "363346000"
NMSC_KINDS = ("basal_cell_carcinoma", "squamous_cell_carcinoma_of_skin", "skin_cancer_unspecified")


@dataclass(frozen=True)
class CancerLikeCode:
    """A code that looks like cancer but is not in CAN_COD, what kind it is and the CAN_COD code to use."""

    code: str
    term: str
    kind: str  # basal_cell_carcinoma, squamous_cell_carcinoma_of_skin, skin_cancer_unspecified, morphology
    suggested_code: str
    source: str


@cache
def load_cancer_like() -> tuple[CancerLikeCode, ...]:
    """The bundled list (quality/data/cancer_like_codes.csv)."""
    with (DATA / "cancer_like_codes.csv").open(newline="", encoding="utf-8") as fh:
        return tuple(
            CancerLikeCode(r["code"], r["term"], r["kind"], r["suggested_code"], r["source"])
            for r in csv.DictReader(fh)
        )


@cache
def _bundled() -> ClusterSet:
    return load_clusters()


def _placeholders() -> dict[str, str]:
    """Bundled example codes (stand-ins for lists that are not public) -> their cluster."""
    return {
        code: cluster.id
        for cluster in _bundled().clusters.values()
        if cluster.is_example
        for code in cluster.codes
    }


def extra_clusters() -> dict[str, frozenset[str]]:
    """The code lists the checks need in `events` besides the run's clusters."""
    return {
        CANCERLIKE_CLUSTER: frozenset(c.code for c in load_cancer_like()),
        PLACEHOLDER_CLUSTER: frozenset(_placeholders()),
    }


def _table(columns: dict[str, list]) -> pa.Table:
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


def code_tables(clusters: ClusterSet, register_cluster: str) -> dict[str, pa.Table]:
    """The run's code tables for the SQL: terms, the register cluster's (CAN_COD's) sites, cancer-like
    codes and placeholders."""
    bundled_terms = {code: term for c in _bundled().clusters.values() for code, term in c.terms.items()}
    terms = dict(bundled_terms)
    for cluster in clusters.clusters.values():
        terms.update({code: term for code, term in cluster.terms.items() if term})
    like = {c.code: c for c in load_cancer_like()}
    terms.update({code: c.term for code, c in like.items() if code not in terms})

    can_cod = clusters[register_cluster].codes
    sites = load_sites()
    site_rows: dict[str, list] = {"code": [], "site": [], "history": []}
    for code in sorted(can_cod):
        term = terms.get(code, "")
        site_rows["code"].append(code)
        site_rows["site"].append(sites.get(code) or classify_term(term).site)
        site_rows["history"].append("1" if is_history_term(term) else "0")

    fallback = GENERIC_CANCER_CODE if GENERIC_CANCER_CODE in can_cod else min(can_cod, default=None)
    like_rows: dict[str, list] = {"code": [], "kind": [], "fix_code": [], "suggested": []}
    for c in like.values():
        like_rows["code"].append(c.code)
        like_rows["kind"].append(c.kind)
        if c.kind in NMSC_KINDS:
            like_rows["fix_code"].append(None)
            like_rows["suggested"].append(None)
        else:
            fix = c.suggested_code if c.suggested_code in can_cod else fallback
            like_rows["fix_code"].append(fix)
            like_rows["suggested"].append(fix)
    local = clusters.clusters.get(CANCERLIKE_CLUSTER)
    for code in sorted(local.codes - like.keys()) if local else ():
        like_rows["code"].append(code)
        like_rows["kind"].append("local")
        like_rows["fix_code"].append(fallback)
        like_rows["suggested"].append(None)

    holder_rows: dict[str, list] = {"code": [], "cluster_id": [], "target_code": []}
    for code, cid in sorted(_placeholders().items()):
        run = clusters.clusters.get(cid)
        if run is None or run.is_example or code in run.codes or not run.codes:
            continue
        holder_rows["code"].append(code)
        holder_rows["cluster_id"].append(cid)
        holder_rows["target_code"].append(min(run.codes))

    return {
        "dq_terms": _table({"code": list(terms), "term": list(terms.values())}),
        "dq_sites": _table(site_rows),
        "dq_cancer_like": _table(like_rows),
        "dq_placeholders": _table(holder_rows),
    }
