"""`qof-cancer codes`: import the national cluster lists, and show where each list in use came from."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from qof_cancer.cli import app
from qof_cancer.codes.clusters import load_clusters
from qof_cancer.codes.folder import import_clusters
from qof_cancer.codes.importers import project_cluster_ids

codes_app = typer.Typer(
    help="Code clusters: import the national lists, show where each list in use came from.",
    no_args_is_help=True,
)
app.add_typer(codes_app, name="codes")


@codes_app.command("import")
def import_(
    path: Path = typer.Argument(
        ...,
        help="A Primary Care Domain refset release (the TRUD zip or its unpacked folder), a refset portal "
        "*PCD_Refset_Content*.txt file, or OpenCodelists nhsd-primary-care-domain-refsets-<cluster>.csv "
        "downloads (a file or a folder of them).",
    ),
    out: Path = typer.Option(..., "--out", help="Folder to write <CLUSTER_ID>.csv and manifest.yaml to."),
    cluster: list[str] = typer.Option(
        None, "--cluster", help="Import this cluster (repeat for more). Default: the clusters this tool uses."
    ),
    all_clusters: bool = typer.Option(False, "--all", help="Import every cluster the source holds."),
) -> None:
    """Build a --codes folder from a national refset release, the refset portal or OpenCodelists."""
    only = None if all_clusters else (cluster or list(project_cluster_ids()))
    result = import_clusters(path, out, only)
    when = f", released {result.release_date}" if result.release_date else ""
    typer.echo(f"Read {result.source.name} ({result.format}{when}); clusters mapped by {result.mapping}.")
    for cid, c in result.clusters.items():
        counts = c.counts()
        extra = []
        if counts["inactive_concepts_kept"]:
            extra.append(f"{counts['inactive_concepts_kept']} inactive concepts kept")
        if counts["retired_members_dropped"]:
            extra.append(f"{counts['retired_members_dropped']} retired members left out")
        if counts["duplicates_removed"]:
            extra.append(f"{counts['duplicates_removed']} duplicates removed")
        detail = f" ({'; '.join(extra)})" if extra else ""
        noun = "code" if counts["codes"] == 1 else "codes"
        typer.echo(f"  {cid}: {counts['codes']} {noun}{detail}")
    if result.missing:
        typer.echo(f"Not in this source: {', '.join(result.missing)}.")
    if result.not_selected:
        typer.echo(f"{result.not_selected} other clusters in the source were not imported (use --all).")
    typer.echo(f"Wrote {len(result.clusters)} clusters to {out}. Use it with --codes {out}.")


@codes_app.command("show")
def show(
    codes: Path = typer.Option(
        None, "--codes", help="Folder of <CLUSTER_ID>.csv files (and .local.csv additions) to use."
    ),
) -> None:
    """List the clusters in use: where each came from, how many codes, and any warnings."""
    clusters = load_clusters(codes)
    table = Table(title="Code clusters", show_lines=True)
    table.add_column("Cluster", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Codes", justify="right", no_wrap=True)
    table.add_column("Local", justify="right", no_wrap=True)
    table.add_column("Source", overflow="fold")
    table.add_column("Warnings", overflow="fold")
    for cid in sorted(clusters.clusters):
        c = clusters[cid]
        table.add_row(
            c.id,
            c.status,
            f"{len(c.codes):,}",
            f"+{len(c.local_codes)}" if c.local_codes else "",
            c.source,
            "\n".join(c.problems()),
        )
    console = Console()
    console.print(table)
    if any(c.status in ("example", "proxy") for c in clusters.clusters.values()):
        console.print(
            "Some clusters are not the national lists. Import the Primary Care Domain refsets with "
            "'qof-cancer codes import RELEASE --out DIR' and use --codes DIR.",
            markup=False,
            highlight=False,
        )
