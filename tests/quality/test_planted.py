"""The checks against the faults the synthetic generator planted (its planted.csv), on fixed-seed PCNs.

Per fault type: `planted` counts the patients of the run's population (registered and alive on the
achievement date) with that fault; `detectable` those whose fault costs something this year, by the
simple reading of their records given in DETECTABLE (a repeat marked with an episode that keeps it from
setting CAN_DAT is coded correctly, a BCC beside a CAN_COD cancer costs nothing, ...); `found` the
patients the matching check flags. Recall is over the detectable patients (and, as `raw_recall`, over
all planted); precision is the share of flagged patients that have the planted fault.

`python -m tests.quality.test_planted` prints the table given in docs/data-quality.md.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from qof_cancer import api
from qof_cancer.codes import load_clusters
from qof_cancer.synth import DEFAULT_AS_OF, SynthParams, write_synthetic

# planted fault -> the check that finds it
FAULT_CHECKS = {
    "duplicate_diagnosis_code": "duplicate_diagnosis",
    "history_of_code_at_registration": "history_code_sets_diagnosis_date",
    "pre2003_diagnosis_recoded": "recoded_diagnosis",
    "diagnosis_only_before_2003": "diagnosis_only_before_2003",
    "morphology_only_diagnosis": "cancer_code_not_in_can_cod",
    "bcc_code_not_in_can_cod": "skin_cancer_not_on_register",
    "pca_previous_qof_year": "pca_previous_year",
    "invite_gap_6_days": "invitations_too_close",
}
# Planted but not findable from the records: the hospital's diagnosis date is not in them.
NOT_DETECTABLE = ("late_coded_diagnosis",)

OPEN = (
    "EXISTS (SELECT 1 FROM outcomes o WHERE o.patient_id = x.patient_id AND o.indicator <> 'CAN001' "
    "AND o.outcome NOT IN ('met', 'out_of_scope', 'pca_unsuitable', 'pca_dissent', 'pca_no_response'))"
)
# SQL over tables pop, ev (events with cluster_id), outcomes: true where the fault costs something now.
DETECTABLE = {
    # A repeat with an episode the register ignores (review, ...) does not set CAN_DAT: coded correctly.
    "duplicate_diagnosis_code": "NOT EXISTS (SELECT 1 FROM ev WHERE ev.patient_id = x.patient_id "
    "AND ev.cluster_id = 'CAN_COD' AND ev.episode IN ('review', 'ended', 'changed', 'evolved', 'flare-up'))",
    # Only while the "History of" code is the latest cancer code does it set CAN_DAT.
    "history_of_code_at_registration": "(SELECT arg_max(history, date) FROM ev WHERE ev.patient_id = "
    "x.patient_id AND ev.cluster_id = 'CAN_COD')",
    "pre2003_diagnosis_recoded": "NOT (SELECT arg_max(history, date) FROM ev WHERE ev.patient_id = "
    "x.patient_id AND ev.cluster_id = 'CAN_COD')",
    # A BCC beside a registered cancer costs nothing.
    "bcc_code_not_in_can_cod": "NOT EXISTS (SELECT 1 FROM ev WHERE ev.patient_id = x.patient_id "
    "AND ev.cluster_id = 'CAN_COD')",
    # PCAs and invitations matter only for a patient not yet reviewed or otherwise counted, and
    # invitations count in their own year.
    "pca_previous_qof_year": OPEN,
    "invite_gap_6_days": "(SELECT COUNT(*) FROM ev WHERE ev.patient_id = x.patient_id "
    f"AND ev.cluster_id = 'CANINVITE_COD' AND ev.date >= $ppsd) >= 2 AND {OPEN}",
}
BOOSTED = SynthParams(
    pca_unsuitable_share=0.3,
    pca_dissent_share=0.3,
    pca_wrong_year_share=1.0,
    invite_share=0.9,
    invite_double_share=0.4,
    invite_six_day_share=0.5,
)


@dataclass(frozen=True)
class Score:
    fault: str
    check: str
    planted: int
    detectable: int
    found: int
    found_detectable: int
    true_positive: int

    @property
    def recall(self) -> float:
        return self.found_detectable / self.detectable if self.detectable else float("nan")

    @property
    def raw_recall(self) -> float:
        return self.true_positive / self.planted if self.planted else float("nan")

    @property
    def precision(self) -> float:
        return self.true_positive / self.found if self.found else float("nan")


def run_and_score(folder: Path, practices: int, per_practice: int, seed: int, params: SynthParams):
    """Generate a PCN, run the 2025-26 in-year indicators with the checks, score them per fault."""
    write_synthetic(folder, "parquet", practices, per_practice, seed, DEFAULT_AS_OF, params)
    result = api.run(folder / "patients.parquet", folder / "events.parquet", today=DEFAULT_AS_OF)
    return result, score(folder, result)


def score(folder: Path, result: api.RunResult) -> dict[str, Score]:
    ach, ppsd = result.period.ach, result.period.ppsd
    clusters = load_clusters()
    history = [
        code for code, term in clusters["CAN_COD"].terms.items() if term.lower().startswith("history of")
    ]
    pca_codes = sorted(clusters["CANPCAPU_COD"].codes | clusters["CANPCADEC_COD"].codes)
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE pop AS SELECT patient_id FROM '{folder}/patients.parquet' WHERE registration_start <= $ach "
        "AND (registration_end IS NULL OR registration_end > $ach) AND (date_of_death IS NULL OR date_of_death > $ach)",
        {"ach": ach},
    )
    con.execute("CREATE TABLE codes (cluster_id VARCHAR, code VARCHAR)")
    con.executemany("INSERT INTO codes VALUES (?, ?)", clusters.rows())
    con.execute(
        "CREATE TABLE ev AS SELECT e.patient_id, c.cluster_id, e.code, e.date, e.episode, "
        f"e.code IN ({', '.join(repr(h) for h in history)}) AS history "
        f"FROM '{folder}/events.parquet' e JOIN codes c ON c.code = e.code WHERE e.date <= $ach",
        {"ach": ach},
    )
    con.register("outcomes", result.outcomes)
    con.register("found_arrow", result.tables["data_quality"])
    con.execute(
        'CREATE TABLE found AS SELECT DISTINCT "check", patient_id FROM found_arrow WHERE "check" <> '
        f"'pca_previous_year' OR code IN ({', '.join(repr(c) for c in pca_codes)})"
    )
    con.execute(
        f"CREATE TABLE planted AS SELECT * FROM read_csv('{folder}/planted.csv', all_varchar = true) "
        "WHERE patient_id IN (SELECT patient_id FROM pop)"
    )
    out = {}
    for fault, check in FAULT_CHECKS.items():
        condition = DETECTABLE.get(fault, "TRUE")
        planted = {
            r[0] for r in con.execute("SELECT patient_id FROM planted WHERE fault = ?", [fault]).fetchall()
        }
        detectable = {
            r[0]
            for r in con.execute(
                f"SELECT patient_id FROM planted x WHERE fault = $fault AND ({condition})",
                {"fault": fault, **({"ppsd": ppsd} if "$ppsd" in condition else {})},
            ).fetchall()
        }
        found = {
            r[0] for r in con.execute('SELECT patient_id FROM found WHERE "check" = ?', [check]).fetchall()
        }
        out[fault] = Score(
            fault,
            check,
            len(planted),
            len(detectable),
            len(found),
            len(found & detectable),
            len(found & planted),
        )
    return out


@pytest.fixture(scope="module")
def demo_pcn(tmp_path_factory):
    """The PCN of the demo test: four practices of 8,000, seed 11, default (calibrated) rates."""
    return run_and_score(tmp_path_factory.mktemp("pcn"), 4, 8000, 11, SynthParams())


@pytest.fixture(scope="module")
def boosted_pcn(tmp_path_factory):
    """PCA-in-the-wrong-year and six-day invitations are rare at default rates: boosted here."""
    return run_and_score(tmp_path_factory.mktemp("boosted"), 2, 8000, 5, BOOSTED)


def _check(scores: dict[str, Score], faults: tuple[str, ...]) -> None:
    for fault in faults:
        sc = scores[fault]
        assert sc.detectable > 0, f"{fault}: nothing planted to find"
        assert sc.recall >= 0.95, sc
        assert sc.precision >= 0.95, sc


def test_the_demo_pcn_faults_are_found_at_the_planted_rates(demo_pcn):
    _, scores = demo_pcn
    _check(
        scores,
        (
            "duplicate_diagnosis_code",
            "history_of_code_at_registration",
            "pre2003_diagnosis_recoded",
            "diagnosis_only_before_2003",
            "morphology_only_diagnosis",
            "bcc_code_not_in_can_cod",
        ),
    )
    # What the detectable subsets leave out is the documented design, not misses: most planted faults count.
    for fault in (
        "history_of_code_at_registration",
        "diagnosis_only_before_2003",
        "morphology_only_diagnosis",
    ):
        assert scores[fault].raw_recall >= 0.95, scores[fault]
    assert scores["duplicate_diagnosis_code"].raw_recall >= 0.7
    assert scores["bcc_code_not_in_can_cod"].raw_recall >= 0.85


def test_rare_faults_are_found_with_boosted_rates(boosted_pcn):
    _, scores = boosted_pcn
    _check(scores, ("pca_previous_qof_year", "invite_gap_6_days", "duplicate_diagnosis_code"))


def test_the_demo_pcn_findings_change_outcomes(demo_pcn):
    """Some faults change this year's outcomes, and those say how; the rest say they change nothing."""
    result, _ = demo_pcn
    rows = result.tables["data_quality"].to_pylist()
    changed = [r for r in rows if r["changes_outcome"]]
    assert changed and all(" instead of " in r["impact"] for r in changed)
    assert {r["impact_basis"] for r in rows} == {"computed", "rule"}
    summary = result.tables["data_quality_summary"].to_pylist()
    practices = {r["practice_code"] for r in summary if r["practice_code"]}
    assert len(practices) == 4
    per = {(r["practice_code"], r["check"]): r for r in summary}
    for row in rows:
        assert per[(row["practice_code"], row["check"])]["findings"] >= 1


def markdown(scores: dict[str, Score], title: str) -> str:
    lines = [
        f"**{title}**",
        "",
        "| planted fault | check | planted | detectable | found | recall | recall (all planted) | precision |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for sc in scores.values():
        lines.append(
            f"| `{sc.fault}` | `{sc.check}` | {sc.planted} | {sc.detectable} | {sc.found} | "
            f"{sc.recall:.2f} | {sc.raw_recall:.2f} | {sc.precision:.2f} |".replace("nan", "–")
        )
    return "\n".join(lines)


if __name__ == "__main__":  # python -m tests.quality.test_planted
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in (
            ("Demo-sized PCN: 4 practices x 8,000, seed 11, default rates", (4, 8000, 11, SynthParams())),
            ("Boosted PCA and invitation faults: 2 practices x 8,000, seed 5", (2, 8000, 5, BOOSTED)),
        ):
            folder = Path(tmp) / str(args[2])
            print(markdown(run_and_score(folder, *args)[1], name), end="\n\n")
    print(f"(run {date.today().isoformat()})")
