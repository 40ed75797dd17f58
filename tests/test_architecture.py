"""The import direction rules -> model -> engine -> outputs -> cli, and a thin CLI with help everywhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qof_cancer.cli import app, main

ROOT = Path(__file__).resolve().parents[1]


def test_import_layers_hold():
    """import-linter checks the layers contract in pyproject.toml."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_model_knows_nothing_of_engines_or_io():
    """The rule model imports no database, web or CLI library."""
    code = (
        "import sys, qof_cancer.model; "
        "print(','.join(m for m in ('duckdb', 'sqlglot', 'typer', 'rich', 'pyspark', 'fastapi') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def _commands(group, prefix=()):
    import typer.main

    click_group = typer.main.get_command(group)
    stack = [(prefix, click_group)]
    while stack:
        path, cmd = stack.pop()
        yield path
        for name, sub in getattr(cmd, "commands", {}).items():
            stack.append(((*path, name), sub))


@pytest.mark.parametrize("path", list(_commands(app)), ids=lambda p: " ".join(p) or "(root)")
def test_every_command_has_help(path, capsys):
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage" in out and len(out.splitlines()) > 3
