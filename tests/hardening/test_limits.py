"""Resource limits and odd values in the files and options a user gives: one line, exit 2, no traceback."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from qof_cancer.cli import main
from tests.inputs.test_bad_input import GOOD_EVENT, GOOD_PATIENT, _run, _write


def _one_line_exit_2(capsys, code: int) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err


def _bomb(levels: int = 9) -> str:
    text = "scheme: laughs\nlol0: &lol0 [lol]\n"
    for i in range(1, levels + 1):
        text += f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]\n"
    return text


SCHEMES = [
    ("alias expansion", _bomb().encode(), "anchors and aliases (& and *) are not allowed"),
    ("latin-1 text", "scheme: café\n".encode("latin-1"), "not UTF-8 text"),
    ("too large", b"scheme: x\n" + b"# padding\n" * 120_000, "larger than 1024 KB"),
    ("too deep", ("a: " + "[" * 60 + "]" * 60 + "\n").encode(), "nested more than 40 deep"),
    (
        "a date that does not exist",
        b"scheme: x\nyears: [2023-24]\nwhen: 2025-02-31\n",
        "a value YAML cannot read",
    ),
    ("nan pounds", b"scheme: x\npounds_per_point: .nan\n", "expected a finite number"),
    ("infinite prevalence", b"scheme: x\nnational_prevalence: .inf\n", "expected a finite number"),
]


@pytest.mark.parametrize(("title", "text", "words"), SCHEMES, ids=[s[0] for s in SCHEMES])
def test_scheme_files(tmp_path, capsys, title, text, words):
    _write(tmp_path, [GOOD_PATIENT], [GOOD_EVENT])
    (tmp_path / "scheme.yaml").write_bytes(text)
    err = _one_line_exit_2(capsys, _run(tmp_path, "--scheme", str(tmp_path / "scheme.yaml")))
    assert words in err and "--scheme" in err


SETTINGS = [
    ("CAN005.support_window=[x", "not a value"),
    ("CAN005.support_window=", "no value after '='"),
    ("CAN005.support_window=2021-02-30", "not a real date"),
    ("CAN005.support_window=99999999 months", "expected a duration"),
    ("CAN005.support_window=121 months", "at most 120 months"),
    ("CAN004.review_window=3661 days", "at most 120 months or 3660 days"),
    ("CAN005.support_window=" + "9" * 400, "longer than 200 characters"),
    ("CAN005.support_window={a: 1}", "expected one value"),
]


@pytest.mark.parametrize(("setting", "words"), SETTINGS, ids=[s[0][:40] for s in SETTINGS])
def test_setting_values(tmp_path, capsys, setting, words):
    _write(tmp_path, [GOOD_PATIENT], [GOOD_EVENT])
    err = _one_line_exit_2(capsys, _run(tmp_path, "--setting", setting))
    assert words in err


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_a_zip_bomb_member_is_refused_before_it_is_unpacked(tmp_path, capsys):
    header = b"id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\n"
    bomb = _zip(
        tmp_path / "release.zip",
        {"der2_Refset_SimpleSnapshot_GB1000230_20240101.txt": header + b"0" * (64 << 20)},
    )
    assert bomb.stat().st_size < 1 << 20
    err = _one_line_exit_2(
        capsys, main(["codes", "import", str(bomb), "--out", str(tmp_path / "c"), "--all"])
    )
    assert "zip bomb" in err
    assert not (tmp_path / "c").exists()


def test_zip_members_are_streamed_not_read_whole(tmp_path):
    from qof_cancer.codes.release import open_release

    data = b"code,term\n" + b"".join(f"{i},t{i}\n".encode() for i in range(50_000))
    release = open_release(_zip(tmp_path / "r.zip", {"a/b.csv": data}))
    with release.files[0].opener() as fh:
        assert isinstance(fh, io.BufferedReader)
        assert fh.read(10) == b"code,term\n"
        assert len(fh.read()) == len(data) - 10


def test_a_128_kb_code_term_names_the_file(tmp_path, capsys):
    _write(tmp_path, [GOOD_PATIENT], [GOOD_EVENT])
    codes = tmp_path / "codes"
    codes.mkdir()
    (codes / "MDRV_COD.csv").write_text("code,term\n1234567," + "x" * 140_000 + "\n")
    err = _one_line_exit_2(capsys, _run(tmp_path, "--codes", str(codes)))
    assert "MDRV_COD.csv: row 2: cannot be read as CSV" in err


def test_a_128_kb_practice_detail_names_the_file(tmp_path, capsys):
    _write(tmp_path, [GOOD_PATIENT], [GOOD_EVENT])
    details = tmp_path / "details.csv"
    details.write_text('practice_code,name,phone\nA00001,"' + "x" * 140_000 + '",01632 960000\n')
    err = _one_line_exit_2(capsys, _run(tmp_path, "--practice-details", str(details)))
    assert "details.csv: row 2: cannot be read as CSV" in err


@pytest.mark.parametrize("value", ["9" * 40, "-1", "3661", "1e3", " "])
def test_due_within_past_its_range_is_a_400(dashboard, value):
    from fastapi.testclient import TestClient

    from qof_cancer.web import create_app

    client = TestClient(create_app(dashboard), base_url="http://127.0.0.1")
    for path in ("/api/worklist", "/worklist.csv", "/worklist"):
        response = client.get(path, params={"due_within": value})
        assert response.status_code in (200, 400), (path, response.status_code)
        if value.strip():
            assert response.status_code == 400
