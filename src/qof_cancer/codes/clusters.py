"""Code clusters: the bundled lists with their provenance, replaced cluster by cluster by a user folder."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from pathlib import Path

from qof_cancer.codes.snomed import check_concept_id
from qof_cancer.errors import InputError, UserError
from qof_cancer.rules import load_yaml

__all__ = ["Cluster", "ClusterSet", "load_clusters", "BUNDLED_DIR", "LOCAL_SUFFIX"]

BUNDLED_DIR = Path(__file__).parent / "data"
LOCAL_SUFFIX = ".local.csv"


@dataclass(frozen=True)
class Cluster:
    """One cluster: its codes and where they came from.

    status: national (the national list), proxy (a public list believed to match it), example (local
    stand-in codes, never the national list), user (a folder given with --codes), refset (imported from
    an NHS refset release or the refset portal), opencodelists (the refset as downloaded from OpenCodelists).
    local_codes: the practice's own codes added from `<CLUSTER_ID>.local.csv`, already part of `codes`.
    """

    id: str
    codes: frozenset[str] = field(repr=False)
    status: str
    source: str
    description: str = ""
    terms: dict[str, str] = field(default_factory=dict, repr=False, compare=False, hash=False)
    local_codes: frozenset[str] = frozenset()

    @property
    def is_example(self) -> bool:
        return self.status == "example"

    def provenance(self) -> str:
        local = f", {len(self.local_codes)} of them practice-local" if self.local_codes else ""
        plural = "s" if len(self.codes) != 1 else ""
        return f"{self.id}: {len(self.codes)} code{plural}{local}, {self.status} list ({self.source})"

    def problems(self) -> list[str]:
        """Plain-words warnings about this cluster's list: not national, empty, or codes not SNOMED CT."""
        out = []
        if self.status == "example":
            out.append("local example codes, not the national list")
        elif self.status == "proxy":
            out.append("proxy list, not the refset itself")
        if not self.codes:
            out.append("empty: an indicator that needs it stops the run")
        bad = sorted(c for c in self.codes if check_concept_id(c))
        if bad:
            local = sum(1 for c in bad if c in self.local_codes)
            of_local = f", {local} of them local" if local else ""
            verb = "code fails" if len(bad) == 1 else "codes fail"
            out.append(f"{len(bad)} {verb} the SNOMED CT check{of_local} (first: {bad[0]})")
        return out

    def describe(self) -> str:
        """One plain-words line naming the list behind this cluster, for summaries and reports."""
        n = f"{len(self.codes):,} code{'s' if len(self.codes) != 1 else ''}"
        text = {
            "national": f"the national list, {n} ({self.source})",
            "refset": f"the national refset, {n}, from {self.source}",
            "opencodelists": f"the national refset via OpenCodelists, {n}, from {self.source}",
            "proxy": f"a proxy list, not the refset itself, {n} ({self.source})",
            "example": f"local example codes, not the national list, {n}: results that depend on it are "
            "for demonstration only",
            "user": f"the practice's own list, {n} ({self.source})",
        }.get(self.status, f"{self.status} list, {n} ({self.source})")
        if self.local_codes:
            text += f"; includes {len(self.local_codes)} practice-local codes from {self.id}{LOCAL_SUFFIX}"
        return f"{self.id}: {text}"


@dataclass(frozen=True)
class ClusterSet:
    """The clusters a run uses, by id."""

    clusters: dict[str, Cluster]

    def __getitem__(self, cluster_id: str) -> Cluster:
        return self.clusters[cluster_id]

    def rows(self) -> list[tuple[str, str]]:
        """(cluster_id, code) pairs, for loading into an engine."""
        return [(c.id, code) for c in self.clusters.values() for code in sorted(c.codes)]

    def warnings(self) -> list[str]:
        """Plain-words warnings about lists that are not the national ones (one line per kind)."""
        out = []
        examples = sorted(c.id for c in self.clusters.values() if c.status == "example")
        proxies = sorted(c.id for c in self.clusters.values() if c.status == "proxy")
        if examples:
            out.append(
                f"{', '.join(examples)}: local example codes, not the national lists; results that depend on "
                "them are for demonstration only (import the refset release: 'qof-cancer codes import')."
            )
        if proxies:
            out.append(
                f"{', '.join(proxies)}: public proxy lists, not the refset files themselves "
                "('qof-cancer codes show' says where each came from)."
            )
        return out

    def as_dict(self) -> dict[str, dict]:
        """Per cluster: status, source and number of codes, for run.json and the like."""
        return {
            c.id: {"status": c.status, "source": c.source, "codes": len(c.codes)}
            for c in self.clusters.values()
        }

    def provenance_lines(self) -> list[str]:
        """One plain-words line per cluster naming the list it uses, for the run summary and report."""
        return [self.clusters[cid].describe() for cid in sorted(self.clusters)]

    def require(self, cluster_ids: tuple[str, ...]) -> None:
        """Stop the run when a cluster an indicator needs is missing or empty."""
        for cid in cluster_ids:
            if cid not in self.clusters or not self.clusters[cid].codes:
                raise InputError(
                    f"cluster {cid} is empty or missing: put {cid}.csv (a 'code' column) in the --codes "
                    "folder, or build the folder with 'qof-cancer codes import RELEASE --out DIR'"
                )


def read_cluster_file(path: Path) -> tuple[frozenset[str], dict[str, str]]:
    """Read `<CLUSTER_ID>.csv` with a `code` column (and optional `term`)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "code" not in [f.strip().lower() for f in reader.fieldnames]:
                found = ", ".join(reader.fieldnames or [])
                raise InputError(f"{path}: row 1: no 'code' column (found: {found})")
            names = {f.strip().lower(): f for f in reader.fieldnames}
            codes, terms = set(), {}
            for row in reader:
                code = (row.get(names["code"]) or "").strip()
                if code:
                    codes.add(code)
                    if "term" in names:
                        terms[code] = (row.get(names["term"]) or "").strip()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except csv.Error as exc:  # a field past the csv module's 128 KB limit, a NUL byte
        raise InputError(f"{path}: row {reader.line_num + 1}: cannot be read as CSV: {exc}") from None
    return frozenset(codes), terms


def _read_manifest(folder: Path) -> dict[str, dict]:
    for name in ("clusters.yaml", "manifest.yaml"):
        path = folder / name
        if path.exists():
            data = load_yaml(path) or {}
            return data.get("clusters", data) if isinstance(data, dict) else {}
    return {}


def load_clusters(codes_dir: str | Path | None = None, groups: tuple[str, ...] = ()) -> ClusterSet:
    """The bundled clusters, each replaced by `<codes_dir>/<CLUSTER_ID>.csv` where that file exists.

    `groups` adds bundled subfolders of `codes/data` (e.g. `("screening",)`); without it only the
    cancer clusters load, so a cancer run never sees the screening lists or their warnings.
    """
    clusters: dict[str, Cluster] = {}
    manifest = _read_manifest(BUNDLED_DIR)
    bundled = sorted(BUNDLED_DIR.glob("*_COD.csv"))
    for group in groups:
        folder = BUNDLED_DIR / group
        if not folder.is_dir():
            raise UserError(f"no bundled cluster group {group!r} (expected the folder {folder})")
        bundled += sorted(folder.glob("*_COD.csv"))
    for path in bundled:
        meta = manifest.get(path.stem, {})
        codes, terms = read_cluster_file(path)
        clusters[path.stem] = Cluster(
            id=path.stem,
            codes=codes,
            terms=terms,
            status=meta.get("status", "example"),
            source=f"bundled: {meta.get('source', 'no provenance recorded')}",
            description=meta.get("description", ""),
        )
    if codes_dir is not None:
        folder = Path(codes_dir)
        if not folder.is_dir():
            raise UserError(f"--codes {folder}: not a folder")
        user_manifest = _read_manifest(folder)
        for path in sorted(folder.glob("*.csv")):
            if not path.stem.endswith("_COD"):
                continue
            meta = user_manifest.get(path.stem, {})
            codes, terms = read_cluster_file(path)
            base = clusters.get(path.stem)
            status = meta.get("status", "user")
            source = meta.get("source", f"user folder {folder}")
            clusters[path.stem] = Cluster(
                id=path.stem,
                codes=codes,
                terms=terms,
                status=status,
                source=str(source),
                description=meta.get("description", base.description if base else ""),
            )
        for path in sorted(folder.glob(f"*{LOCAL_SUFFIX}")):
            _add_local_codes(clusters, path, folder)
    return ClusterSet(clusters)


def _add_local_codes(clusters: dict[str, Cluster], path: Path, folder: Path) -> None:
    """Add the codes of `<CLUSTER_ID>.local.csv` to that cluster (the national list stays as it is)."""
    cid = path.name[: -len(LOCAL_SUFFIX)]
    codes, terms = read_cluster_file(path)
    base = clusters.get(cid) or Cluster(
        id=cid, codes=frozenset(), status="user", source=f"practice-local codes only, {folder}"
    )
    clusters[cid] = replace(
        base,
        codes=base.codes | codes,
        terms={**terms, **base.terms},
        local_codes=frozenset(codes - base.codes),
    )
