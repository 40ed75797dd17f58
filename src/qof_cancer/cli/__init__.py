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
)

# Each command group lives in its own module and registers itself on `app`.
from qof_cancer.cli import run as _run  # noqa: E402,F401
from qof_cancer.cli import synth as _synth  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors print one line and exit 2; anything else is an internal error (1)."""
    try:
        app(args=argv, standalone_mode=False)
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except SystemExit as exc:  # raised by click for --help and usage errors
        return int(exc.code or 0)
    except typer.Exit as exc:
        return exc.exit_code
    except Exception as exc:  # click usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return 2
        if isinstance(exc, click.exceptions.Abort):
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())


def console_main() -> None:
    sys.exit(main())
