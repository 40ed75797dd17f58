"""Readers for the TRUD Primary Care Domain refset release: RF2 snapshot files and the supporting CSV.

RF2 files are tab-separated UTF-8 with a header. A snapshot may still hold several rows for one member
id; the row with the latest effectiveTime is the member's current state, and `active` = 0 there means
the refset has retired the member. RF2 carries no cluster ids: the supporting product
`GPData_Cluster_Refset_1000230_<YYYYMMDD>.csv` (cp1252; a `_nc` variant has the commas taken out of its
descriptions) maps each Cluster_ID to its RefsetId and also lists every member with its term.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from qof_cancer.codes.collect import ClusterImport, check_code
from qof_cancer.codes.release import ReleaseFile, read_table
from qof_cancer.errors import InputError

__all__ = [
    "SupportingCsv",
    "read_concept_status",
    "read_simple_refsets",
    "read_supporting_csv",
    "read_terms",
]

FSN_TYPE = "900000000000003001"
_RF2_COMMON = {"id": ("id",), "effective": ("effectiveTime",), "active": ("active",)}


def _effective(value: str, where: str, line: int) -> str:
    if not re.fullmatch(r"\d{8}", value):
        raise InputError(f"{where}: line {line}: effectiveTime {value!r} is not a date YYYYMMDD")
    return value


def _flag(value: str, where: str, line: int, column: str) -> bool:
    if value not in ("0", "1"):
        raise InputError(f"{where}: line {line}: {column} {value!r} is not 0 or 1")
    return value == "1"


def _latest(rows, where: str) -> dict[str, tuple[str, int, dict[str, str]]]:
    """Per id, the row with the latest effectiveTime (a later line wins a tie)."""
    latest: dict[str, tuple[str, int, dict[str, str]]] = {}
    for line, row in rows:
        eff = _effective(row["effective"], where, line)
        seen = latest.get(row["id"])
        if seen is None or eff >= seen[0]:
            latest[row["id"]] = (eff, line, row)
    return latest


def read_simple_refsets(files: list[ReleaseFile], clusters_by_refset: dict[str, list[ClusterImport]]) -> int:
    """Add the current members of the wanted refsets to their clusters; the number of superseded rows."""
    superseded = 0
    for file in files:
        rows = read_table(
            file,
            {**_RF2_COMMON, "refset": ("refsetId",), "code": ("referencedComponentId",)},
            {"module": ("moduleId",)},
            delimiter="\t",
        )
        wanted = [(line, row) for line, row in rows if row["refset"] in clusters_by_refset]
        members = _latest(wanted, file.where)
        superseded += len(wanted) - len(members)
        for _eff, line, row in sorted(members.values(), key=lambda m: m[1]):
            code = check_code(row["code"], file.where, line, "referencedComponentId")
            active = _flag(row["active"], file.where, line, "active")
            for cluster in clusters_by_refset[row["refset"]]:
                if active:
                    cluster.add(code)
                else:
                    cluster.drop(code)
    return superseded


def read_terms(files: list[ReleaseFile], codes: set[str]) -> dict[str, str]:
    """code -> term from RF2 description snapshots: the active fully specified name, else a synonym.

    Among several candidates the lowest description id wins, so the choice does not hang on file order.
    """
    best: dict[str, tuple[bool, int, str]] = {}
    fields = {**_RF2_COMMON, "concept": ("conceptId",), "type": ("typeId",), "term": ("term",)}
    for file in files:
        rows = read_table(file, fields, delimiter="\t")
        current = _latest(((ln, r) for ln, r in rows if r["concept"] in codes), file.where)
        for desc_id, (_eff, line, row) in current.items():
            if not _flag(row["active"], file.where, line, "active"):
                continue
            rank = (row["type"] != FSN_TYPE, int(desc_id) if desc_id.isdigit() else 0, row["term"])
            if row["concept"] not in best or rank < best[row["concept"]]:
                best[row["concept"]] = rank
    return {code: term for code, (_not_fsn, _id, term) in best.items()}


def read_concept_status(files: list[ReleaseFile], codes: set[str]) -> dict[str, bool]:
    """code -> whether the concept is active, from RF2 concept snapshots, for the codes they hold."""
    status: dict[str, bool] = {}
    for file in files:
        rows = read_table(file, dict(_RF2_COMMON), delimiter="\t")
        current = _latest(((ln, r) for ln, r in rows if r["id"] in codes), file.where)
        for code, (_eff, line, row) in current.items():
            status[code] = _flag(row["active"], file.where, line, "active")
    return status


@dataclass
class SupportingCsv:
    """What the GPData cluster CSV says: cluster -> refset, and the members of the wanted clusters."""

    file: ReleaseFile
    refsets: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    members: dict[str, ClusterImport] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)
    concept_active: dict[str, bool] = field(default_factory=dict)
    lists_members: bool = False


def read_supporting_csv(file: ReleaseFile, wanted: Callable[[str], bool]) -> SupportingCsv:
    """Read `GPData_Cluster_Refset_1000230_*.csv` (or its `_nc` / older `GDPPR_` forms)."""
    out = SupportingCsv(file)
    rows = read_table(
        file,
        {"cluster": ("Cluster_ID",), "refset": ("RefsetId", "Refset_ID", "PCD_Refset_ID")},
        {
            "description": ("Cluster_Desc", "Cluster_Description"),
            "code": ("ConceptId", "SNOMED_code"),
            "term": ("ConceptId_Description", "SNOMED_code_description"),
            "in_refset": ("Active_in_Refset",),
            "code_active": ("Active_Code_Status",),
        },
    )
    first_line: dict[str, int] = {}
    for line, row in rows:
        cid = row["cluster"].upper()
        if not cid:
            raise InputError(f"{file.where}: line {line}: Cluster_ID is blank")
        refset = check_code(row["refset"], file.where, line, "RefsetId")
        if cid in out.refsets and out.refsets[cid] != refset:
            raise InputError(
                f"{file.where}: line {line}: cluster {cid} has refset {refset} here but "
                f"{out.refsets[cid]} on line {first_line[cid]}"
            )
        out.refsets.setdefault(cid, refset)
        first_line.setdefault(cid, line)
        out.descriptions.setdefault(cid, row.get("description", ""))
        if not row.get("code") or not wanted(cid):
            continue
        out.lists_members = True
        code = check_code(row["code"], file.where, line, "ConceptId")
        cluster = out.members.setdefault(cid, ClusterImport(cid, refset, out.descriptions[cid]))
        in_refset = _flag(row.get("in_refset", "1") or "1", file.where, line, "Active_in_Refset")
        if in_refset:
            cluster.add(code, row.get("term", ""))
        else:
            cluster.drop(code)
        if row.get("term"):
            out.terms.setdefault(code, row["term"])
        if row.get("code_active") in ("0", "1"):
            out.concept_active[code] = row["code_active"] == "1"
    return out
