"""Write an imported source as a `--codes` folder: `<CLUSTER_ID>.csv` (code,term) plus `manifest.yaml`.

The folder is built beside its destination and renamed into place, so a failed import never leaves a
half-written folder. Re-importing into a folder this command built replaces it and keeps the practice's
`*.local.csv` extension files.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import yaml

from qof_cancer.codes.importers import ImportResult, read_source
from qof_cancer.errors import UserError
from qof_cancer.rules import load_yaml
from qof_cancer.sanitise import safe_cell

__all__ = ["GENERATED_BY", "import_clusters", "manifest_for", "write_cluster_folder"]

GENERATED_BY = "qof-cancer codes import"


def _code_order(code: str) -> tuple[int, str]:
    # Numeric order for SNOMED CT ids (shorter first), which is how people scan a list of them.
    return (len(code), code)


def manifest_for(result: ImportResult) -> dict:
    """The manifest as data: where the whole import came from, then each cluster with its counts."""
    clusters = {}
    for cid, cluster in result.clusters.items():
        clusters[cid] = {
            "status": result.status,
            "source": result.sources[cid],
            "description": cluster.description,
            "format": result.format,
            "release_date": result.release_date,
            "refset_id": cluster.refset_id,
            "file": f"{cid}.csv",
            "counts": cluster.counts(),
        }
    manifest = {
        "generated_by": GENERATED_BY,
        "source": result.source.name,
        "format": result.format,
        "release_date": result.release_date,
        "mapping": result.mapping,
    }
    if result.format == "rf2-snapshot":
        manifest["superseded_rows"] = result.superseded_rows
    manifest["clusters"] = clusters
    return manifest


def _check_destination(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")
    manifest = out / "manifest.yaml"
    built_here = False
    if manifest.exists():
        try:
            data = load_yaml(manifest)
        except UserError:
            data = None
        built_here = isinstance(data, dict) and data.get("generated_by") == GENERATED_BY
    if any(out.iterdir()) and not built_here:
        raise UserError(
            f"--out {out}: folder is not empty and was not built by '{GENERATED_BY}'; "
            "give a new or empty folder"
        )


def write_cluster_folder(result: ImportResult, out: str | Path) -> Path:
    """Write `result` to `out`, atomically; the folder written."""
    out = Path(out)
    _check_destination(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        for cid, cluster in result.clusters.items():
            with (tmp / f"{cid}.csv").open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(["code", "term"])
                for code in sorted(cluster.codes, key=_code_order):
                    writer.writerow([code, safe_cell(cluster.codes[code])])
        text = yaml.safe_dump(manifest_for(result), sort_keys=False, allow_unicode=True, width=1000)
        (tmp / "manifest.yaml").write_text(text, encoding="utf-8")
        if out.exists():
            for local in sorted(out.glob("*.local.csv")):
                shutil.copy2(local, tmp / local.name)
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            old.rmdir()
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def import_clusters(path: str | Path, out: str | Path, only: list[str] | None = None) -> ImportResult:
    """Read the clusters in `path` and write them to the folder `out`; what was read."""
    result = read_source(path, only)
    write_cluster_folder(result, out)
    return result
