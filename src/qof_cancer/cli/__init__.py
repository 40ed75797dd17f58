"""The command line: a thin layer over the library. `main(argv) -> int`."""

from __future__ import annotations

import sys

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


# Each command group lives in its own module and registers itself on `app`.
from qof_cancer.cli import codes as _codes  # noqa: E402,F401
from qof_cancer.cli import dbt as _dbt  # noqa: E402,F401
from qof_cancer.cli import demo as _demo  # noqa: E402,F401
from qof_cancer.cli import docs as _docs  # noqa: E402,F401
from qof_cancer.cli import importers as _importers  # noqa: E402,F401
from qof_cancer.cli import reconcile as _reconcile  # noqa: E402,F401
from qof_cancer.cli import reference as _reference  # noqa: E402,F401
from qof_cancer.cli import run as _run  # noqa: E402,F401
from qof_cancer.cli import screening as _screening  # noqa: E402,F401
from qof_cancer.cli import serve as _serve  # noqa: E402,F401
from qof_cancer.cli import sql as _sql  # noqa: E402,F401
from qof_cancer.cli import synth as _synth  # noqa: E402,F401
from qof_cancer.cli import templates as _templates  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors print one line and exit 2; usage errors exit 2; internal errors exit 1."""
    try:
        app(args=argv, prog_name="qof-cancer")
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
