"""`qof-cancer serve`: run the indicators and serve the dashboard on this computer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from qof_cancer.cli import app
from qof_cancer.cli.inputs import check_input_paths
from qof_cancer.cli.options import (
    AsOfOpt,
    CodesOpt,
    EventsOpt,
    OutOpt,
    PatientsOpt,
    PracticeDetailsOpt,
    PracticeNameOpt,
    PracticePhoneOpt,
    SchemeOpt,
    SettingOpt,
    TemplatesOpt,
    YearOpt,
    parse_as_of,
    parse_settings,
)
from qof_cancer.worklist.messages import missing_details_advice

if TYPE_CHECKING:
    from qof_cancer.web import Dashboard


def _practice_codes(dash: Dashboard) -> list[str]:
    result = dash.require_result()
    return sorted({r["practice_code"] for r in result.summary_rows() if r["practice_code"]})


@app.command()
def serve(
    patients: PatientsOpt,
    events: EventsOpt,
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    codes: CodesOpt = None,
    out: OutOpt = Path("qof-cancer-output"),
    scheme: SchemeOpt = None,
    setting: SettingOpt = None,
    templates: TemplatesOpt = None,
    practice_details: PracticeDetailsOpt = None,
    practice_name: PracticeNameOpt = None,
    practice_phone: PracticePhoneOpt = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (default 127.0.0.1: this computer only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    db: Annotated[
        Path | None, typer.Option("--db", help="DuckDB file for the results (default OUT/dashboard.duckdb).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="QOF_CANCER_TOKEN",
            help="Secret every request must carry; required with a --host other than loopback.",
        ),
    ] = None,
) -> None:
    """Run the indicators and serve the dashboard: overview, indicators, patients, worklists, screening."""
    # The web application (FastAPI, uvicorn) is imported by this command only: every other command's
    # start would otherwise pay ~0.3 s for it.
    from qof_cancer.web import Dashboard, RunInputs
    from qof_cancer.web import serve as serve_dashboard
    from qof_cancer.web.security import check_host, is_loopback

    check_host(host, token)  # before the run, so a refused host costs nothing
    check_input_paths(patients, events)
    inputs = RunInputs(
        patients=patients,
        events=events,
        year=year,
        as_of=parse_as_of(as_of),
        codes=codes,
        scheme=scheme,
        settings=parse_settings(setting),
        out=out,
        templates=templates,
        practice_details=practice_details,
        practice_name=practice_name,
        practice_phone=practice_phone,
    )
    inputs.load_messages()  # a bad template or details file stops here, before the run
    dash = Dashboard(inputs, db or out / "dashboard.duckdb")
    console = Console(stderr=True)
    with console.status("Starting") as status:
        dash.run(progress=lambda msg: status.update(msg))
    missing = dash.messages.missing(_practice_codes(dash)) if dash.messages is not None else []
    if missing:
        console.print(f"[yellow]Letters:[/yellow] {missing_details_advice(missing)}")
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/"
    if token:
        address += f"?token={token}"  # opening it once sets a cookie; the token then leaves the address
    console.print(f"Dashboard: {address}  (Ctrl+C to stop)")
    if not is_loopback(host):
        console.print("Listening beyond this computer: every request needs the token.")
    serve_dashboard(dash, host, port, token)
