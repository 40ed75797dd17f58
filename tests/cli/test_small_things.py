"""The command line's small things: --version, help text as written at 80 columns, and the input
warnings (--as-of capped to the year end, a folder given as a file, patients and events swapped)."""

from __future__ import annotations

import json

import pytest

from qof_cancer import __version__
from qof_cancer.cli import main
from tests.helpers import write_inputs
from tests.worklist.conftest import patient


def test_version_prints_and_exits_0(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"qof-cancer {__version__}"


@pytest.mark.parametrize("command", ["run", "serve", "screening", "demo"])
def test_help_at_80_columns_keeps_brackets_and_option_names(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    if command == "run":
        # The extra's name survives (rich markup used to eat "[spark]"), as does every option's name.
        assert "cancer[spark]" in out and "local[2]" in out
        for option in ("--practice-details", "--practice-name", "--practice-phone", "--spark-master"):
            assert option in out


@pytest.fixture
def inputs(tmp_path):
    return write_inputs(tmp_path / "in", [patient([["CAN_COD", "2023-10-15"]])])


def test_as_of_after_the_year_end_warns_that_it_was_capped(inputs, tmp_path, capsys):
    ppath, epath = inputs
    args = ["run", "--patients", str(ppath), "--events", str(epath), "--year", "2023-24"]
    assert main([*args, "--as-of", "2024-06-01", "--out", str(tmp_path / "out")]) == 0
    said = " ".join(capsys.readouterr().out.split())
    capped = "--as-of 2024-06-01 is after the end of QOF 2023-24: the run reads the records up to the year end, 2024-03-31"
    assert capped in said
    # the run's own words, so run.json keeps them too
    warnings = json.loads((tmp_path / "out" / "run.json").read_text())["warnings"]
    assert any(w.startswith(capped) for w in warnings)


def test_a_folder_given_as_a_file_is_named(inputs, tmp_path, capsys):
    _, epath = inputs
    folder = tmp_path / "empty"
    folder.mkdir()
    assert main(["run", "--patients", str(folder), "--events", str(epath), "--out", str(tmp_path / "o")]) == 2
    assert f"--patients {folder}: is a folder with no .csv or .parquet files in it" in capsys.readouterr().err


def test_patients_and_events_swapped_are_named(inputs, tmp_path, capsys):
    ppath, epath = inputs
    assert main(["run", "--patients", str(epath), "--events", str(ppath), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "the patients and events files look swapped" in err and "swap them" in err


def _fresh_python(code: str) -> str:
    """What `code` prints in a new interpreter (the command modules a test process has imported
    already would hide what `main` imports)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout


def test_a_command_loads_its_own_module_and_every_command_is_listed():
    out = _fresh_python(
        "import sys, typer.main\n"
        "from qof_cancer.cli import COMMANDS, app, load_commands\n"
        "def names(): return sorted(typer.main.get_command(app).commands)\n"
        "load_commands(['run', '--year', '2024-25'])\n"
        "print(names(), 'qof_cancer.cli.serve' in sys.modules, 'qof_cancer.cli.dbt' in sys.modules)\n"
        "for name in COMMANDS:\n"
        "    load_commands([name])\n"
        "    print(name, name in names())\n"
        "load_commands(['--help'])\n"
        "print(names() == sorted(COMMANDS))\n"
    )
    lines = out.splitlines()
    assert lines[0] == "['run'] False False"
    assert all(line.endswith(" True") for line in lines[1:-1]), lines
    assert lines[-1] == "True"


def test_help_lists_every_command(capsys):
    from qof_cancer.cli import COMMANDS

    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(f" {name} " in out for name in COMMANDS)
