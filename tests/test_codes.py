"""Code clusters: SNOMED CT id checks, importing the national refset formats, local codes, `codes show`."""

from __future__ import annotations

import pytest

from qof_cancer.codes.snomed import check_concept_id, check_sctid, verhoeff_check_digit, verhoeff_valid

# ---------------------------------------------------------------------------------------------------
# SNOMED CT identifiers

GOOD_CONCEPT_IDS = [
    "720006006",  # Cancer care review
    "254701007",  # a cancer concept
    "138875005",  # SNOMED CT root concept
    "404684003",  # Clinical finding
    "999013651000230103",  # CAN_COD refset id (a concept, namespace partition 10)
    "999026491000230108",  # CANPCSUPP_COD refset id
]


@pytest.mark.parametrize("code", GOOD_CONCEPT_IDS)
def test_known_concept_ids_pass(code):
    assert check_concept_id(code) is None


def test_verhoeff_matches_the_textbook_example():
    assert verhoeff_check_digit("236") == "3"
    assert verhoeff_valid("2363")
    assert not verhoeff_valid("2364")


@pytest.mark.parametrize(
    "code, words",
    [
        ("720006007", "check digit"),  # last digit changed
        ("720060006", "check digit"),  # two digits swapped
        ("0720006006", "starts with 0"),
        ("12345", "5 digits"),
        ("1234567890123456789", "19 digits"),
        ("7.2E+08", "digits only"),
        ("LOCAL-CANINVITE-01", "digits only"),
        ("", "digits only"),
        ("720006036", "partition identifier 03"),
    ],
)
def test_bad_ids_say_what_is_wrong(code, words):
    problem = check_concept_id(code)
    assert problem is not None and words in problem


def _with_check_digit(payload: str) -> str:
    return payload + verhoeff_check_digit(payload)


def test_description_and_relationship_ids_are_not_concepts():
    # The two digits before the check digit are the partition: 01 description, 02 relationship.
    desc, rel, concept = (_with_check_digit("1234567" + part) for part in ("01", "02", "00"))
    assert check_sctid(desc) is None and check_sctid(rel) is None
    assert check_concept_id(concept) is None
    assert "description id" in check_concept_id(desc)
    assert "relationship id" in check_concept_id(rel)


# ---------------------------------------------------------------------------------------------------
# Small releases of each format. Member codes are made-up ids with valid check digits (never national
# codes); the refset ids are the real public ones for CAN_COD and MDRV_COD.

CAN_REFSET, MDRV_REFSET, OTHER_REFSET = "999013651000230103", "999013371000230104", "999011211000230103"


def sct(n: int) -> str:
    """A well-formed concept id (partition 00) that is not a real concept: for test releases only."""
    return _with_check_digit(f"{n}00")


A, B, C, D, E, F = (sct(n) for n in (1000001, 1000002, 1000003, 1000004, 1000005, 1000006))
RF2_HEADER = "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\n"
MODULE = "999000011000230102"
ROOT = "SnomedCT_UKPrimaryCareRF2_PRODUCTION_20250627T000000Z"
SNAPSHOT = f"{ROOT}/Snapshot/Refset/Content/der2_Refset_SimpleUKPCSnapshot_GB1000230_20250627.txt"
FULL = f"{ROOT}/Full/Refset/Content/der2_Refset_SimpleUKPCFull_GB1000230_20250627.txt"
DESCRIPTIONS = f"{ROOT}/Snapshot/Terminology/sct2_Description_UKPCSnapshot-en_GB1000230_20250627.txt"
CONCEPTS = f"{ROOT}/Snapshot/Terminology/sct2_Concept_UKPCSnapshot_GB1000230_20250627.txt"
GPDATA_NC = "SupportingProducts/GPData_Cluster_Refset_1000230_20250627_nc.csv"
TAIL = "20200101,PC refset,0,19000101"  # Code_Status_Date .. Sensitive_Status_Date
GPDATA_HEADER = (
    "Cluster_Category,Cluster_ID,Cluster_Desc,Active_in_Refset,Refset_Status_Date,RefsetId,"
    "Refset_Description,ConceptId,ConceptId_Description,Active_Code_Status,Code_Status_Date,"
    "Type_of_Inclusion,Sensitive_Status,Sensitive_Status_Date\n"
)


def rf2_rows(*rows: tuple[str, str, int, str, str]) -> str:
    return RF2_HEADER + "".join(f"{i}\t{t}\t{a}\t{MODULE}\t{r}\t{c}\n" for i, t, a, r, c in rows)


def snapshot() -> str:
    return rf2_rows(
        ("m1", "20240101", 1, CAN_REFSET, A),
        ("m2", "20230101", 1, CAN_REFSET, B),  # superseded: B later retired
        ("m2", "20250101", 0, CAN_REFSET, B),
        ("m3", "20250101", 1, CAN_REFSET, C),  # re-activated; the older row comes later in the file
        ("m3", "20240101", 0, CAN_REFSET, C),
        ("m4", "20240101", 1, CAN_REFSET, A),  # A listed twice: one duplicate
        ("m5", "20240101", 1, CAN_REFSET, D),  # D's concept is inactive: kept all the same
        ("m6", "20240101", 1, MDRV_REFSET, E),
        ("m7", "20240101", 1, OTHER_REFSET, F),  # another cluster's refset
    )


def gpdata_rows() -> str:
    # As shipped: cp1252, descriptions with their commas taken out (_nc), one row per member.
    rows = [
        ("Cancer", "CAN_COD", "Cancer codes", 1, CAN_REFSET, A, "Test neoplasm alpha (disorder)", 1),
        ("Cancer", "CAN_COD", "Cancer codes", 0, CAN_REFSET, B, "Test neoplasm beta", 1),
        ("Cancer", "CAN_COD", "Cancer codes", 1, CAN_REFSET, C, "Test neoplasm – gamma", 1),
        ("Cancer", "CAN_COD", "Cancer codes", 1, CAN_REFSET, D, "Test neoplasm delta", 0),
        ("Cancer", "MDRV_COD", "Cancer care review codes", 1, MDRV_REFSET, E, "Test review £ epsilon", 1),
        ("Cancer", "CANPCADEC_COD", "Cancer PCA declined", 1, OTHER_REFSET, F, "Test declined", 1),
        ("Asthma", "AST_COD", "Asthma codes", 1, sct(2000001), F, "Test asthma", 1),  # not a cancer cluster
    ]
    return GPDATA_HEADER + "".join(
        f"{cat},{cid},{desc},{act},20250627,{ref},Refset FSN,{code},{term},{ca},{TAIL}\n"
        for cat, cid, desc, act, ref, code, term, ca in rows
    )


def descriptions() -> str:
    header = (
        "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId\n"
    )
    fsn, syn, cs = "900000000000003001", "900000000000013009", "900000000000448009"
    rows = [
        ("d1", "20240101", 1, A, syn, "Alpha synonym"),
        ("d2", "20240101", 1, A, fsn, "Test neoplasm alpha (disorder) from RF2"),
        ("d3", "20240101", 1, D, syn, "Delta old term"),
        ("d3", "20250101", 0, D, syn, "Delta old term"),  # retired description
        ("d4", "20250101", 1, D, syn, "Delta current term"),
    ]
    return header + "".join(
        f"{i}\t{t}\t{a}\t{MODULE}\t{c}\ten\t{ty}\t{term}\t{cs}\n" for i, t, a, c, ty, term in rows
    )


def concepts() -> str:
    header = "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId\n"
    return (
        header
        + f"{D}\t20200101\t1\t{MODULE}\t900000000000074008\n{D}\t20250101\t0\t{MODULE}\t900000000000074008\n"
    )


def write_zip(path, files: dict[str, bytes]) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)


@pytest.fixture
def trud_zip(tmp_path):
    path = tmp_path / "uk_sct2pc_56.0.0_20250627000000Z.zip"
    write_zip(
        path,
        {
            SNAPSHOT: snapshot().encode("utf-8"),
            FULL: rf2_rows(("x1", "20200101", 1, CAN_REFSET, F)).encode("utf-8"),  # Full files are ignored
            DESCRIPTIONS: descriptions().encode("utf-8"),
            CONCEPTS: concepts().encode("utf-8"),
            GPDATA_NC: gpdata_rows().encode("cp1252"),
        },
    )
    return path


def read_text(path) -> str:
    return path.read_text(encoding="utf-8")


def load_manifest(folder):
    import yaml

    return yaml.safe_load(read_text(folder / "manifest.yaml"))


# ---------------------------------------------------------------------------------------------------
# Import: the TRUD release


def test_trud_zip_imports_current_active_members_with_terms_and_counts(trud_zip, tmp_path):
    from qof_cancer.codes.folder import import_clusters
    from qof_cancer.codes.importers import project_cluster_ids

    out = tmp_path / "codes"
    result = import_clusters(trud_zip, out, list(project_cluster_ids()))

    assert sorted(p.name for p in out.iterdir()) == [
        "CANPCADEC_COD.csv",
        "CAN_COD.csv",
        "MDRV_COD.csv",
        "manifest.yaml",
    ]
    # A once (duplicate removed), B left out (retired), C kept (re-activated), D kept (inactive concept).
    # Terms: the RF2 fully specified name first, then the GPData file's (decoded from cp1252).
    assert read_text(out / "CAN_COD.csv") == (
        "code,term\n"
        f"{A},Test neoplasm alpha (disorder) from RF2\n"
        f"{C},Test neoplasm – gamma\n"
        f"{D},Delta current term\n"
    )
    assert read_text(out / "MDRV_COD.csv") == f"code,term\n{E},Test review £ epsilon\n"
    manifest = load_manifest(out)
    assert manifest["format"] == "rf2-snapshot"
    assert manifest["release_date"] == "2025-06-27"
    assert manifest["mapping"] == "GPData_Cluster_Refset_1000230_20250627_nc.csv"
    assert manifest["superseded_rows"] == 2
    can = manifest["clusters"]["CAN_COD"]
    assert can["status"] == "refset"
    assert can["refset_id"] == CAN_REFSET
    assert can["description"] == "Cancer codes"
    assert "uk_sct2pc_56.0.0_20250627000000Z.zip" in can["source"] and "2025-06-27" in can["source"]
    assert can["counts"] == {
        "codes": 3,
        "active_concepts": 2,
        "inactive_concepts_kept": 1,
        "concept_status_unknown": 0,
        "retired_members_dropped": 1,
        "duplicates_removed": 1,
    }
    assert manifest["clusters"]["MDRV_COD"]["counts"]["codes"] == 1
    assert result.not_selected == 1  # AST_COD
    assert "CANINVITE_COD" in result.missing and "CAN_COD" not in result.missing


def test_unpacked_release_without_mapping_file_uses_bundled_refset_ids(tmp_path):
    from qof_cancer.codes.folder import import_clusters

    release = tmp_path / ROOT
    (release / "Snapshot/Refset/Content").mkdir(parents=True)
    (tmp_path / SNAPSHOT).write_text(snapshot(), encoding="utf-8")
    out = tmp_path / "codes"
    import_clusters(release, out, ["CAN_COD", "MDRV_COD"])

    # No description file and no GPData: terms are blank and concept status is unknown.
    assert read_text(out / "CAN_COD.csv") == f"code,term\n{A},\n{C},\n{D},\n"
    manifest = load_manifest(out)
    assert manifest["mapping"].startswith("bundled mapping")
    assert (
        manifest["clusters"]["CAN_COD"]["description"]
        == "Cancer diagnosis codes (excl. non-melanotic skin cancer)"
    )
    assert manifest["clusters"]["CAN_COD"]["counts"] == {
        "codes": 3,
        "active_concepts": None,
        "inactive_concepts_kept": None,
        "concept_status_unknown": None,
        "retired_members_dropped": 1,
        "duplicates_removed": 1,
    }
    assert sorted(manifest["clusters"]) == ["CAN_COD", "MDRV_COD"]


def test_supporting_csv_alone_lists_members_honouring_active_in_refset(tmp_path):
    from qof_cancer.codes.folder import import_clusters

    # The file with commas kept (quoted), in cp1252, and a member listed twice.
    text = GPDATA_HEADER + (
        f'Cancer,CAN_COD,"Cancer, all",1,20250627,{CAN_REFSET},x,{A},"Test, alpha – x",1,{TAIL}\n'
        f"Cancer,CAN_COD,Cancer all,1,20250627,{CAN_REFSET},x,{A},Test alpha,1,{TAIL}\n"
        f"Cancer,CAN_COD,Cancer all,0,20250627,{CAN_REFSET},x,{B},Test beta,1,{TAIL}\n"
        f"Cancer,CAN_COD,Cancer all,1,20250627,{CAN_REFSET},x,{D},Test delta,0,{TAIL}\n"
    )
    path = tmp_path / "GPData_Cluster_Refset_1000230_20250627.csv"
    path.write_bytes(text.encode("cp1252"))
    out = tmp_path / "codes"
    import_clusters(path, out, ["CAN_COD"])

    assert read_text(out / "CAN_COD.csv") == f'code,term\n{A},"Test, alpha – x"\n{D},Test delta\n'
    can = load_manifest(out)["clusters"]["CAN_COD"]
    assert (can["format"], can["release_date"], can["description"]) == (
        "gpdata-csv",
        "2025-06-27",
        "Cancer, all",
    )
    assert can["counts"] == {
        "codes": 2,
        "active_concepts": 1,
        "inactive_concepts_kept": 1,
        "concept_status_unknown": 0,
        "retired_members_dropped": 1,
        "duplicates_removed": 1,
    }


# ---------------------------------------------------------------------------------------------------
# Import: the refset portal and OpenCodelists


def test_portal_content_file_is_read_and_the_by_output_file_ignored(tmp_path):
    from qof_cancer.codes.folder import import_clusters

    header = (
        "\t".join(
            [
                "Cluster_ID",
                "Cluster_Description",
                "SNOMED_code",
                "SNOMED_code_description",
                "PCD_Refset_ID",
                "Service_and_Ruleset",
            ]
        )
        + "\n"
    )
    rows = [
        ("CAN_COD", "Cancer codes", A, "Test alpha", CAN_REFSET, "CC_QOF"),
        ("CAN_COD", "Cancer codes", C, "Test gamma", CAN_REFSET, "CC_QOF"),
        ("CAN_COD", "Cancer codes", A, "Test alpha", CAN_REFSET, "CC_QOF"),  # duplicate
        ("AST_COD", "Asthma codes", F, "Test asthma", sct(2000001), "CC_QOF"),
    ]
    body = "".join("\t".join(r) + "\n" for r in rows)
    (tmp_path / "portal").mkdir()
    (tmp_path / "portal/20250521_PCD_Refset_Content_V2.txt").write_bytes((header + body).encode("cp1252"))
    by_output = (
        "Output_ID\tCluster_ID\tCluster_Description\tSNOMED_code\tSNOMED_code_description\tPCD_Refset_ID\n"
    )
    by_output += f"CAN001\tCAN_COD\tCancer codes\t{B}\tWrong file\t{CAN_REFSET}\n"
    (tmp_path / "portal/20250521_PCD_Refset_Content_by_Output_V2.txt").write_text(by_output, encoding="utf-8")
    out = tmp_path / "codes"
    result = import_clusters(tmp_path / "portal", out, ["CAN_COD"])

    assert read_text(out / "CAN_COD.csv") == f"code,term\n{A},Test alpha\n{C},Test gamma\n"
    can = load_manifest(out)["clusters"]["CAN_COD"]
    assert (can["format"], can["release_date"], can["refset_id"]) == (
        "pcd-portal-txt",
        "2025-05-21",
        CAN_REFSET,
    )
    assert can["counts"]["duplicates_removed"] == 1 and can["counts"]["inactive_concepts_kept"] is None
    assert result.not_selected == 1


def test_opencodelists_downloads_take_the_cluster_from_the_file_name(tmp_path):
    from qof_cancer.codes.folder import import_clusters

    dl = tmp_path / "downloads"
    dl.mkdir()
    (dl / "nhsd-primary-care-domain-refsets-can_cod.csv").write_text(
        f"code,term\n{D},Test délta – utf8\n{A},Test alpha\n{A},Test alpha\n", encoding="utf-8"
    )
    (dl / "nhsd-primary-care-domain-refsets-ast_cod.csv").write_text(
        f"code,term\n{F},Test\n", encoding="utf-8"
    )
    out = tmp_path / "codes"
    result = import_clusters(dl, out, ["CAN_COD", "MDRV_COD"])

    assert read_text(out / "CAN_COD.csv") == f"code,term\n{A},Test alpha\n{D},Test délta – utf8\n"
    can = load_manifest(out)["clusters"]["CAN_COD"]
    assert can["status"] == "opencodelists" and can["format"] == "opencodelists-csv"
    assert can["refset_id"] == CAN_REFSET and can["release_date"] is None
    assert "nhsd-primary-care-domain-refsets/can_cod" in can["source"]
    assert can["counts"]["duplicates_removed"] == 1
    assert result.missing == ["MDRV_COD"] and result.not_selected == 1


# ---------------------------------------------------------------------------------------------------
# Bad input: file, line and value in the message; the CLI prints one line and exits 2


def _ocl(tmp_path, body: str):
    path = tmp_path / "nhsd-primary-care-domain-refsets-can_cod.csv"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, words",
    [
        (f"code,term\n{A},ok\n9.99013E+17,mangled\n", ["line 3", "'9.99013E+17'", "spreadsheet"]),
        (f"code,term\n{A},ok\n{A[:-1]}9,typo\n", ["line 3", "check digit"]),
        ("term\nno code column\n", ["line 1", "no code column"]),
        (f"code,term\n{A},ok,extra\n", ["line 2", "3 fields"]),
    ],
)
def test_bad_rows_name_file_line_and_value(tmp_path, body, words):
    from qof_cancer.codes.importers import read_source
    from qof_cancer.errors import InputError

    path = _ocl(tmp_path, body)
    with pytest.raises(InputError) as exc:
        read_source(path, ["CAN_COD"])
    message = str(exc.value)
    assert str(path) in message
    for w in words:
        assert w in message


def test_bad_effective_time_and_unknown_source_are_user_errors(tmp_path):
    from qof_cancer.codes.importers import read_source
    from qof_cancer.errors import InputError, UserError

    release = tmp_path / "rel"
    release.mkdir()
    (release / "der2_Refset_SimpleUKPCSnapshot_GB1000230_20250627.txt").write_text(
        rf2_rows(("m1", "2024-01-01", 1, CAN_REFSET, A)), encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"line 2: effectiveTime '2024-01-01'"):
        read_source(release, ["CAN_COD"])
    (tmp_path / "other").mkdir()
    (tmp_path / "other/notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="found no refset release"):
        read_source(tmp_path / "other")
    with pytest.raises(UserError, match="no such file or folder"):
        read_source(tmp_path / "missing.zip")


def test_cli_import_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    from qof_cancer.cli import main

    path = _ocl(tmp_path, f"code,term\n{A},ok\n12AB,bad\n")
    code = main(["codes", "import", str(path), "--out", str(tmp_path / "codes")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and "line 3: code '12AB'" in err
    assert not (tmp_path / "codes").exists()  # nothing half-written


def test_import_refuses_a_folder_it_did_not_build(tmp_path, trud_zip):
    from qof_cancer.codes.folder import import_clusters
    from qof_cancer.errors import UserError

    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(UserError, match="not built by"):
        import_clusters(trud_zip, out, ["CAN_COD"])
    assert (out / "notes.txt").exists()


def test_reimport_replaces_the_folder_and_keeps_local_files(tmp_path, trud_zip):
    from qof_cancer.codes.folder import import_clusters

    out = tmp_path / "codes"
    import_clusters(trud_zip, out, ["CAN_COD", "MDRV_COD"])
    (out / "CAN_COD.local.csv").write_text("code,term\nEMIS123,Practice code\n", encoding="utf-8")
    import_clusters(trud_zip, out, ["CAN_COD"])
    assert sorted(p.name for p in out.iterdir()) == ["CAN_COD.csv", "CAN_COD.local.csv", "manifest.yaml"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp folders left


# ---------------------------------------------------------------------------------------------------
# Loading an imported folder, local codes, provenance, `codes show`


def test_imported_folder_loads_to_the_codes_supplied(tmp_path, trud_zip):
    from qof_cancer.codes import load_clusters
    from qof_cancer.codes.folder import import_clusters

    out = tmp_path / "codes"
    import_clusters(trud_zip, out, ["CAN_COD", "MDRV_COD"])
    clusters = load_clusters(out)
    assert clusters["CAN_COD"].codes == {A, C, D}
    assert clusters["MDRV_COD"].codes == {E}
    assert clusters["CAN_COD"].status == "refset" and "20250627" in clusters["CAN_COD"].source
    assert clusters["CAN_COD"].terms[C] == "Test neoplasm – gamma"
    # Clusters the release did not supply stay as bundled, and still say so.
    assert clusters["CANINVITE_COD"].status == "example"
    assert "CAN_COD" not in " ".join(clusters.warnings())
    clusters.require(("CAN_COD", "MDRV_COD"))


def test_local_codes_add_to_a_cluster_and_are_reported(tmp_path, trud_zip):
    from qof_cancer.codes import load_clusters
    from qof_cancer.codes.folder import import_clusters

    out = tmp_path / "codes"
    import_clusters(trud_zip, out, ["CAN_COD"])
    (out / "CAN_COD.local.csv").write_text(f"code,term\nEMISLOC1,Practice cancer code\n{A},already there\n")
    (out / "MDRV_COD.local.csv").write_text("code\nEMISREV1\n")  # adds to the bundled MDRV_COD
    clusters = load_clusters(out)

    assert clusters["CAN_COD"].codes == {A, C, D, "EMISLOC1"}
    assert clusters["CAN_COD"].local_codes == {"EMISLOC1"}
    assert clusters["CAN_COD"].terms[A] == "Test neoplasm alpha (disorder) from RF2"  # national term wins
    assert clusters["MDRV_COD"].codes == {"720006006", "EMISREV1"}
    assert clusters["MDRV_COD"].local_codes == {"EMISREV1"}
    lines = clusters.provenance_lines()
    assert len(lines) == len(clusters.clusters)
    can = next(line for line in lines if line.startswith("CAN_COD:"))
    assert "national refset, 4 codes" in can and "1 practice-local codes from CAN_COD.local.csv" in can
    inv = next(line for line in lines if line.startswith("CANINVITE_COD:"))
    assert "example codes, not the national list" in inv and "demonstration only" in inv
    assert (
        "1 code fails the SNOMED CT check, 1 of them local (first: EMISLOC1)"
        in clusters["CAN_COD"].problems()
    )


def test_without_a_folder_provenance_names_the_bundled_lists():
    from qof_cancer.codes import load_clusters

    lines = load_clusters().provenance_lines()
    assert [line.split(":")[0] for line in lines] == sorted(load_clusters().clusters)
    assert any(line.startswith("CAN_COD: a proxy list, not the refset itself, 6,059 codes") for line in lines)
    assert all(not c.local_codes for c in load_clusters().clusters.values())


def test_codes_show_lists_source_counts_and_warnings(tmp_path, trud_zip, capsys, monkeypatch):
    from qof_cancer.cli import main
    from qof_cancer.codes.folder import import_clusters

    monkeypatch.setenv("COLUMNS", "250")
    out = tmp_path / "codes"
    import_clusters(trud_zip, out, ["CAN_COD"])
    (out / "CAN_COD.local.csv").write_text("code,term\nEMISLOC1,Practice cancer code\n")
    (out / "CANPCAPU_COD.csv").write_text("code,term\n")  # an empty user list

    assert main(["codes", "show", "--codes", str(out)]) == 0
    text = capsys.readouterr().out
    rows = {line.split("│")[1].strip(): line for line in text.splitlines() if line.count("│") > 3}
    assert "refset" in rows["CAN_COD"] and "4" in rows["CAN_COD"] and "+1" in rows["CAN_COD"]
    assert "uk_sct2pc_56.0.0_20250627000000Z.zip" in rows["CAN_COD"]
    assert "1 code fails the SNOMED CT check" in rows["CAN_COD"]
    assert "example" in rows["CANINVITE_COD"] and "not the national list" in rows["CANINVITE_COD"]
    assert "proxy list" in rows["MDRV_COD"]
    assert "empty" in rows["CANPCAPU_COD"]


def test_codes_commands_have_help(capsys):
    from qof_cancer.cli import main

    for argv in (["codes", "--help"], ["codes", "import", "--help"], ["codes", "show", "--help"]):
        assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Build a --codes folder" in out and "List the clusters in use" in out


def test_cli_import_writes_the_folder_and_says_what_it_did(tmp_path, trud_zip, capsys):
    from qof_cancer.cli import main

    out = tmp_path / "codes"
    assert main(["codes", "import", str(trud_zip), "--out", str(out), "--cluster", "CAN_COD"]) == 0
    text = capsys.readouterr().out
    assert "released 2025-06-27" in text
    assert (
        "CAN_COD: 3 codes (1 inactive concepts kept; 1 retired members left out; 1 duplicates removed)"
        in text
    )
    assert "other clusters in the source were not imported" in text
    assert sorted(p.name for p in out.iterdir()) == ["CAN_COD.csv", "manifest.yaml"]


def test_a_folder_built_by_import_loads_like_the_same_list_supplied_directly(tmp_path):
    from qof_cancer.codes import load_clusters
    from qof_cancer.codes.folder import import_clusters

    body = f"code,term\n{D},Test delta\n{A},Test alpha\n"
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl/nhsd-primary-care-domain-refsets-can_cod.csv").write_text(body, encoding="utf-8")
    (tmp_path / "direct").mkdir()
    (tmp_path / "direct/CAN_COD.csv").write_text(body, encoding="utf-8")
    import_clusters(tmp_path / "dl", tmp_path / "imported", ["CAN_COD"])

    imported, direct = load_clusters(tmp_path / "imported"), load_clusters(tmp_path / "direct")
    assert imported.rows() == direct.rows()
    assert imported["CAN_COD"].terms == direct["CAN_COD"].terms
    assert (imported["CAN_COD"].status, direct["CAN_COD"].status) == ("opencodelists", "user")
