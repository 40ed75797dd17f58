"""Property-based fuzzing of every reader: whatever the input, no traceback; either exit 2 with a
one-line message, or the rows are conserved (read = kept + rejected) and nothing outside the output
folder changes. Modest example counts keep each test to a few seconds."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qof_cancer.cli import main
from qof_cancer.web import create_app

FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HEADER = [
    "patient_id",
    "practice_code",
    "date_of_birth",
    "sex",
    "registration_start",
    "nhs_number",
    "pcn_code",
]
GOOD = ["p1", "A81001", "1950-01-01", "F", "2000-01-01", "9434765919", "U1"]
EVENTS = "patient_id,code,date,episode\np1,254837009,2023-06-01,first\n"

# Text that breaks readers: delimiters, quotes, line ends, NUL, BOM, formulas, long and non-ASCII text.
nasty = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            ",",
            '"',
            '""',
            "\n",
            "\r\n",
            "\x00",
            "\ufeff",
            "=1+1",
            "1950-02-30",
            "01/02/1950",
            "nan",
            "-1",
            "254837009.0",
            "9" * 40,
            "é",
            "../../x",
            " A81001 ",
            "F,M",
        ]
    ),
)


def _snapshot(root: Path, skip: Path) -> dict[str, int]:
    return {str(p): p.stat().st_size for p in root.rglob("*") if p.is_file() and skip not in p.parents}


def _check_cli(args: list[str], root: Path, out: Path, capsys) -> int:
    before = _snapshot(root, out)
    code = main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (0, 2), err
    if code == 2:
        assert "\n" not in err.strip() and err.strip().startswith("error: "), err
    assert _snapshot(root, out) == before  # nothing outside the output folder changed
    return code


def _conserved(out: Path) -> None:
    """read = kept + rejected rows, for both input files, from run.json and rejects.csv."""
    counts = json.loads((out / "run.json").read_text())["input"]
    rejected: dict[str, set[str]] = {"patients": set(), "events": set()}
    if (out / "rejects.csv").exists():
        with (out / "rejects.csv").open(newline="") as fh:
            for r in csv.DictReader(fh):
                if r["action"] == "row rejected":
                    rejected["patients" if "patients" in r["file"] else "events"].add(r["row"])
    assert counts["patients_read"] == counts["patients_kept"] + len(rejected["patients"])
    assert counts["events_read"] >= counts["events_kept"] + 0  # events outside the run's codes are not kept


@settings(FUZZ, max_examples=8)  # each example is a whole run
@given(st.lists(st.lists(nasty, min_size=7, max_size=7), max_size=4), st.sampled_from([",", ";", "\t"]))
def test_fuzz_csv_patients(tmp_path_factory, capsys, rows, delimiter):
    root = tmp_path_factory.mktemp("csv")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerows([HEADER, GOOD, *rows])
    (root / "patients.csv").write_text(buf.getvalue(), encoding="utf-8", errors="surrogatepass")
    (root / "events.csv").write_text(EVENTS)
    out = root / "out"
    args = ["run", "--patients", str(root / "patients.csv"), "--events", str(root / "events.csv"),
            "--year", "2023-24", "--out", str(out)]  # fmt: skip
    if _check_cli(args, root, out, capsys) == 0:
        _conserved(out)


column = st.one_of(
    st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=3, max_size=3).map(pa.array),
    st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), min_size=3, max_size=3).map(pa.array),
    st.lists(st.floats(allow_nan=True), min_size=3, max_size=3).map(pa.array),
    st.lists(st.dates(), min_size=3, max_size=3).map(pa.array),
    st.lists(st.booleans(), min_size=3, max_size=3).map(pa.array),
)


@FUZZ
@given(st.lists(column, min_size=7, max_size=7))
def test_fuzz_parquet_patients(tmp_path_factory, capsys, columns):
    root = tmp_path_factory.mktemp("pq")
    pq.write_table(pa.table(dict(zip(HEADER, columns, strict=True))), root / "patients.parquet")
    (root / "events.csv").write_text(EVENTS)
    out = root / "out"
    args = ["run", "--patients", str(root / "patients.parquet"), "--events", str(root / "events.csv"),
            "--year", "2023-24", "--out", str(out)]  # fmt: skip
    if _check_cli(args, root, out, capsys) == 0:
        _conserved(out)


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = ["id", "gender", "birthDate", "identifier", "deceasedDateTime", "generalPractitioner", "subject", "code",
          "effectiveDateTime", "onsetDateTime", "resourceType"]  # fmt: skip


@FUZZ
@given(
    st.lists(
        st.tuples(st.sampled_from(["Patient", "Condition", "Observation", "Procedure", "Bundle", "X"]),
                  st.dictionaries(st.sampled_from(FIELDS), json_value, max_size=5)),
        min_size=1, max_size=5,
    )
)  # fmt: skip
def test_fuzz_fhir(tmp_path_factory, capsys, resources):
    root = tmp_path_factory.mktemp("fhir")
    lines = [json.dumps({"resourceType": kind, **fields}) for kind, fields in resources]
    (root / "in.ndjson").write_text("\n".join(lines) + "\n")
    out = root / "out"
    args = ["import", "fhir", str(root / "in.ndjson"), "--out", str(out), "--practice-code", "A81001",
            "--registration-start", "2000-01-01"]  # fmt: skip
    _check_cli(args, root, out, capsys)
    summary = json.loads((out / "import-summary.json").read_text())
    for kind, counts in summary["by_type"].items():
        assert counts["read"] >= counts["converted"], kind
        assert counts["read"] == counts["converted"] + sum(counts["skipped"].values()), (kind, counts)


@FUZZ
@given(st.lists(st.lists(nasty, min_size=6, max_size=6), max_size=4), st.booleans())
def test_fuzz_rf2_zip(tmp_path_factory, capsys, rows, as_zip):
    root = tmp_path_factory.mktemp("rf2")
    header = "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId"
    text = "\n".join([header, *("\t".join(r) for r in rows)]) + "\n"
    name = "der2_Refset_SimpleSnapshot_GB1000230_20240101.txt"
    if as_zip:
        with zipfile.ZipFile(root / "release.zip", "w") as zf:
            zf.writestr(f"Snapshot/Refset/Content/{name}", text.encode("utf-8", "surrogatepass"))
        source = root / "release.zip"
    else:
        source = root / name
        source.write_bytes(text.encode("utf-8", "surrogatepass"))
    out = root / "out"
    _check_cli(["codes", "import", str(source), "--out", str(out), "--all"], root, out, capsys)


yaml_text = st.one_of(
    st.text(max_size=80),
    st.recursive(
        st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=8), st.dates()),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=10,
    ).map(lambda v: json.dumps(v, default=str)),
    st.sampled_from(
        ["a: &x [1]\nb: *x\n", "- [" * 50, "scheme: x\nyears: [2023-24]\n", "actions:\n  - {}\n"]
    ),
)


@FUZZ
@given(yaml_text, st.sampled_from(["scheme", "settings", "plan"]))
def test_fuzz_yaml_files(tmp_path_factory, capsys, text, kind):
    root = tmp_path_factory.mktemp("yaml")
    (root / "patients.csv").write_text(",".join(HEADER) + "\n" + ",".join(GOOD) + "\n")
    (root / "events.csv").write_text(EVENTS)
    (root / "f.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    out = root / "out"
    inputs = [
        "--patients",
        str(root / "patients.csv"),
        "--events",
        str(root / "events.csv"),
        "--out",
        str(out),
    ]
    if kind == "scheme":
        args = ["run", *inputs, "--year", "2023-24", "--scheme", str(root / "f.yaml")]
    else:
        args = ["screening", *inputs, "--as-of", "2025-11-15", f"--{kind}", str(root / "f.yaml")]
    _check_cli(args, root, out, capsys)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["patients", "events", "other", ""]),
        st.tuples(st.one_of(st.text(max_size=12), st.sampled_from(["p.csv", "e.parquet", "../../x.csv", "a"])),
                  st.binary(max_size=200)),
        max_size=4,
    )
)  # fmt: skip
def test_fuzz_upload_form(dashboard, files):
    client = TestClient(create_app(dashboard, upload_limit=4096), base_url="http://127.0.0.1")
    response = client.post("/api/load", files={k: v for k, v in files.items()})
    assert response.status_code in (202, 400, 409, 411, 413), response.text
    if response.status_code != 202:
        error = response.json()["error"]
        assert error["status"] == response.status_code and "\n" not in error["message"]
    for _ in range(400):  # let an accepted upload finish, so the next example is not refused for it
        if dashboard.status.state != "running":
            break
        time.sleep(0.05)
    assert (
        all(p.parent == dashboard.uploads for p in dashboard.uploads.glob("*"))
        if dashboard.uploads.exists()
        else True
    )
