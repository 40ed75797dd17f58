"""Read the national cluster lists from any of the forms NHS England and OpenCodelists publish them in.

- TRUD Primary Care Domain refset release (zip or unpacked): RF2 simple refset snapshot, clusters mapped
  by the release's GPData_Cluster_Refset_1000230_*.csv, or failing that by the bundled mapping;
- that supporting CSV on its own (it lists every member, with Active_in_Refset);
- the Primary Care Domain refset portal text files (`<YYYYMMDD>_PCD_Refset_Content*.txt`);
- OpenCodelists downloads `nhsd-primary-care-domain-refsets-<cluster>.csv` (`code,term`).
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from qof_cancer.codes.clusters import BUNDLED_DIR
from qof_cancer.codes.collect import ClusterImport, check_code
from qof_cancer.codes.release import Release, ReleaseFile, open_release, read_table, release_date_in
from qof_cancer.codes.rf2 import read_concept_status, read_simple_refsets, read_supporting_csv, read_terms
from qof_cancer.errors import InputError

__all__ = ["ImportResult", "bundled_refset_map", "project_cluster_ids", "read_source"]

SNAPSHOT = r"der2_Refset_Simple[A-Za-z0-9]*Snapshot.*\.txt"
DESCRIPTIONS = r"sct2_Description_[A-Za-z0-9]*Snapshot.*\.txt"
CONCEPTS = r"sct2_Concept_[A-Za-z0-9]*Snapshot.*\.txt"
SUPPORTING = r"(GPData|GDPPR)_Cluster_Refset_1000230_\d{8}(_nc)?\.csv"
PORTAL = r".*PCD_Refset_Content.*\.txt"
OPENCODELISTS_PREFIX = "nhsd-primary-care-domain-refsets-"
OPENCODELISTS = OPENCODELISTS_PREFIX + r"[A-Za-z0-9_]+\.csv"
BUNDLED_MAPS = ("pcd_cluster_refsets.csv", "pcd_screening_cluster_refsets.csv")


@dataclass
class ImportResult:
    """What one source held: the clusters read, and what was asked for but not there."""

    source: Path
    format: str
    status: str
    release_date: str | None
    mapping: str
    clusters: dict[str, ClusterImport] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    not_selected: int = 0
    superseded_rows: int = 0
    sources: dict[str, str] = field(default_factory=dict)


def bundled_refset_map() -> dict[str, tuple[str, str]]:
    """cluster id -> (refset id, description) from the bundled mapping files (refset ids only)."""
    out: dict[str, tuple[str, str]] = {}
    with (BUNDLED_DIR / BUNDLED_MAPS[0]).open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["cluster_id"]] = (row["pcd_refset_id"], row["description"])
    with (BUNDLED_DIR / BUNDLED_MAPS[1]).open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            cid, _, desc = row["term"].partition(":")
            out[cid.strip()] = (row["code"], desc.strip())
    return out


def project_cluster_ids() -> tuple[str, ...]:
    """The clusters this project uses: the cancer and cancer screening clusters."""
    return tuple(bundled_refset_map())


def read_source(path: str | Path, only: Collection[str] | None = None) -> ImportResult:
    """Read the clusters in `path` (zip, folder or file); `only` limits which, None keeps them all."""
    release = open_release(path)
    wanted = {c.upper() for c in only} if only is not None else None

    def want(cid: str) -> bool:
        return wanted is None or cid in wanted

    snapshots = release.find(SNAPSHOT)
    supporting = _pick_supporting(release.find(SUPPORTING))
    if snapshots:
        result = _from_rf2(release, snapshots, supporting, want)
    elif supporting:
        result = _from_supporting(release, supporting, want)
    elif release.find(PORTAL):
        result = _from_portal(release, _pick_portal(release.find(PORTAL)), want)
    elif release.find(OPENCODELISTS):
        result = _from_opencodelists(release, release.find(OPENCODELISTS), want)
    else:
        raise InputError(
            f"{release.path}: found no refset release (der2_Refset_Simple*Snapshot*.txt, "
            "GPData_Cluster_Refset_1000230_*.csv), portal file (*PCD_Refset_Content*.txt) or OpenCodelists "
            f"download ({OPENCODELISTS_PREFIX}<cluster>.csv)"
        )
    if wanted is not None:
        result.missing = sorted(wanted - result.clusters.keys())
    return result


def _pick_supporting(files: list[ReleaseFile]) -> ReleaseFile | None:
    # Latest date first; GPData (all clusters) before GDPPR (a subset); commas kept before _nc.
    def key(f: ReleaseFile) -> tuple[str, bool, bool]:
        return (
            release_date_in(f.name) or "",
            f.name.lower().startswith("gpdata"),
            "_nc" not in f.name.lower(),
        )

    return max(files, key=key) if files else None


def _pick_portal(files: list[ReleaseFile]) -> ReleaseFile:
    # The content file lists each cluster member once; the by-output file repeats it per indicator.
    plain = [f for f in files if "by_output" not in f.name.lower()]
    return max(plain or files, key=lambda f: (release_date_in(f.name) or "", f.name))


def _from_rf2(release: Release, snapshots, supporting, want) -> ImportResult:
    snap_date = next((d for f in snapshots if (d := release_date_in(f.name))), None)
    date = snap_date or release_date_in(release.path.name)
    if supporting:
        sup = read_supporting_csv(supporting, lambda _cid: False)
        mapping = {cid: (ref, sup.descriptions.get(cid, "")) for cid, ref in sup.refsets.items()}
        mapping_label = supporting.name
    else:
        sup, mapping, mapping_label = (
            None,
            bundled_refset_map(),
            "bundled mapping (" + ", ".join(BUNDLED_MAPS) + ")",
        )
    selected = {cid: ClusterImport(cid, ref, desc) for cid, (ref, desc) in mapping.items() if want(cid)}
    by_refset: dict[str, list[ClusterImport]] = {}
    for cluster in selected.values():
        by_refset.setdefault(cluster.refset_id or "", []).append(cluster)
    result = ImportResult(release.path, "rf2-snapshot", "refset", date, mapping_label)
    result.superseded_rows = read_simple_refsets(snapshots, by_refset)
    result.not_selected = len(mapping) - len(selected)
    result.clusters = {cid: c for cid, c in sorted(selected.items()) if c.seen}
    codes = {code for c in result.clusters.values() for code in c.codes}
    terms = read_terms(release.find(DESCRIPTIONS), codes) if codes else {}
    status = read_concept_status(release.find(CONCEPTS), codes) if codes else {}
    if supporting and codes:
        sup = read_supporting_csv(supporting, lambda cid: cid in result.clusters)
        terms = {**sup.terms, **terms}
        status = {**sup.concept_active, **status}
    for cid, cluster in result.clusters.items():
        cluster.fill_terms(terms)
        cluster.concept_active = {c: status[c] for c in cluster.codes if c in status}
        when = f", released {date}" if date else ""
        result.sources[cid] = (
            f"Primary Care Domain refset release {release.path.name}{when}, refset {cluster.refset_id}"
        )
    return result


def _from_supporting(release: Release, supporting: ReleaseFile, want) -> ImportResult:
    sup = read_supporting_csv(supporting, want)
    if not sup.lists_members:
        raise InputError(
            f"{supporting.where}: holds the cluster-to-refset mapping only (no ConceptId column); "
            "import the whole release, with its der2_Refset_Simple*Snapshot*.txt files"
        )
    date = release_date_in(supporting.name)
    result = ImportResult(release.path, "gpdata-csv", "refset", date, supporting.name)
    result.clusters = dict(sorted(sup.members.items()))
    result.not_selected = len(sup.refsets) - sum(1 for cid in sup.refsets if want(cid))
    for cid, cluster in result.clusters.items():
        cluster.concept_active = {c: sup.concept_active[c] for c in cluster.codes if c in sup.concept_active}
        result.sources[cid] = (
            f"Primary Care Domain refset release file {supporting.name}, refset {cluster.refset_id}"
        )
    return result


def _from_portal(release: Release, file: ReleaseFile, want) -> ImportResult:
    date = release_date_in(file.name)
    result = ImportResult(release.path, "pcd-portal-txt", "refset", date, file.name)
    seen: set[str] = set()
    rows = read_table(
        file,
        {"cluster": ("Cluster_ID",), "code": ("SNOMED_code",), "refset": ("PCD_Refset_ID", "Refset_ID")},
        {"description": ("Cluster_Description",), "term": ("SNOMED_code_description",)},
    )
    for line, row in rows:
        cid = row["cluster"].upper()
        seen.add(cid)
        if not want(cid):
            continue
        refset = check_code(row["refset"], file.where, line, "PCD_Refset_ID")
        cluster = result.clusters.setdefault(cid, ClusterImport(cid, refset, row.get("description", "")))
        if cluster.refset_id != refset:
            raise InputError(
                f"{file.where}: line {line}: cluster {cid} has refset {refset} and {cluster.refset_id}"
            )
        cluster.add(check_code(row["code"], file.where, line, "SNOMED_code"), row.get("term", ""))
    result.clusters = dict(sorted(result.clusters.items()))
    result.not_selected = len(seen) - len(result.clusters)
    for cid, cluster in result.clusters.items():
        when = f", {date}" if date else ""
        result.sources[cid] = (
            f"Primary Care Domain refset portal file {file.name}{when}, refset {cluster.refset_id}"
        )
    return result


def _from_opencodelists(release: Release, files: list[ReleaseFile], want) -> ImportResult:
    known = bundled_refset_map()
    result = ImportResult(
        release.path, "opencodelists-csv", "opencodelists", None, "cluster id from file name"
    )
    where: dict[str, str] = {}
    for file in files:
        cid = file.name[len(OPENCODELISTS_PREFIX) : -len(".csv")].upper()
        if not want(cid):
            result.not_selected += 1
            continue
        if cid in where:
            raise InputError(f"{file.where}: a second download for {cid} (the first is {where[cid]})")
        where[cid] = file.where
        refset, desc = known.get(cid, (None, ""))
        cluster = ClusterImport(cid, refset, desc)
        for line, row in read_table(file, {"code": ("code",)}, {"term": ("term",)}, delimiter=","):
            cluster.add(check_code(row["code"], file.where, line, "code"), row.get("term", ""))
        result.clusters[cid] = cluster
        slug = f"{OPENCODELISTS_PREFIX[:-1]}/{cid.lower()}"
        result.sources[cid] = f"OpenCodelists download {file.name} ({slug})"
    result.clusters = dict(sorted(result.clusters.items()))
    return result
