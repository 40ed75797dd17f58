"""The command line: a thin layer over the library. `main(argv) -> int`."""

from __future__ import annotations

import gc
import sys
from importlib import import_module

import typer

from qof_cancer.errors import UserError

app = typer.Typer(
    name="qof-cancer",
    help="QOF cancer indicators (CAN001, CAN004, CAN005) and PCN cancer screening from your own records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help text is plain: square brackets (qof-cancer[spark], local[2]) are text, not rich markup.
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    # An eager option's callback runs while the options are parsed, before click asks for a command.
    if value:
        from qof_cancer import __version__

        typer.echo(f"qof-cancer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Show the version and exit.", is_eager=True, callback=_show_version
    ),
) -> None:
    """QOF cancer indicators (CAN001, CAN004, CAN005) and PCN cancer screening from your own records."""


# Each command (or group of commands) lives in its own module, which registers it on `app` when imported.
# `main` imports only the module of the command it is asked to run: `qof-cancer run` need not load the
# web server's, the importers' or dbt's modules (a tenth of a second on every run). Help, a mistyped
# command and the bare `qof-cancer` load them all, so click lists every command and suggests the nearest.
COMMANDS: dict[str, str] = {
    "codes": "codes",
    "dbt": "dbt",
    "demo": "demo",
    "docs": "docs",
    "import": "importers",
    "reconcile": "reconcile",
    "reference": "reference",
    "run": "run",
    "screening": "screening",
    "serve": "serve",
    "sql": "sql",
    "synth": "synth",
    "templates": "templates",
}


def load_commands(argv: list[str] | None = None) -> None:
    """Register the command `argv` names (its first word that is not an option), or every command."""
    name = next((arg for arg in argv or () if not arg.startswith("-")), None)
    for module in [COMMANDS[name]] if name in COMMANDS else sorted(set(COMMANDS.values())):
        import_module(f"qof_cancer.cli.{module}")


# A command is a short-lived process that makes many small objects (query trees, rows, imported
# modules): Python's cycle collector, run after every 700 new ones, cost about 2.5% of a run at a
# million patients. After every 50,000 it runs seventy times less often; peak memory did not change.
GC_THRESHOLD = (50_000, 20, 20)


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors print one line and exit 2; usage errors exit 2; internal errors exit 1."""
    gc.set_threshold(*GC_THRESHOLD)
    args = sys.argv[1:] if argv is None else argv
    try:
        load_commands(args)
        app(args=args, prog_name="qof-cancer")
    except UserError as exc:
        # one line, always: a message quoting a library's error may carry its own line breaks
        typer.echo("error: " + " ".join(part.strip() for part in str(exc).splitlines()), err=True)
        return exc.exit_code
    except SystemExit as exc:  # click ends every run with SystemExit (0, or 2 for usage errors)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())


def console_main() -> None:
    sys.exit(main())
