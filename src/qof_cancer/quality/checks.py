"""The checks as SQL over the run's tables: one builder per check, a dispatch table in catalogue order.

Each builder returns one SELECT giving rows of `dq_findings` (FINDING_COLUMNS): the patient, the record at
fault, plain-words detail and fix, and how to undo the fault for the impact re-run (drop the record,
add a record `fix_code` on `fix_date`, or, for the two checks named in PATIENT_EDITS, clear a patient
date). A row with `rule_impact` set states its impact from the rules instead.

The builders read these tables, made by `compute.prepare_tables`:
- `dq_pop`: patients registered and alive on the achievement date (the indicators' population);
- `dq_ev`: their coded records up to the achievement date, one row per record and cluster, with the
  record's `event_id` (the rowid in `events`);
- `dq_dx`: their CAN_COD records with the cancer `site`, `site_key` (the site, or the code itself for the
  sites that name no tumour), `history` ("History of" code) and `counts` (sets CAN_DAT, by episode);
- `dq_cd`: each patient's CAN_DAT (the latest counting CAN_COD record);
- `outcomes` (the indicators' results), `dq_terms`, `dq_cancer_like`, `dq_placeholders`, `dq_local`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from qof_cancer.model.dates import add_months
from qof_cancer.model.nodes import PCA_OUTCOMES, SETTLED_OUTCOMES
from qof_cancer.quality.codes import CANCERLIKE_CLUSTER, NMSC_KINDS, PLACEHOLDER_CLUSTER
from qof_cancer.quality.plan import Plan, d, finding, in_list, label, minus, plus, s, v

__all__ = ["BUILDERS", "FINDING_COLUMNS", "MOVES_CAN_DAT", "PATIENT_EDITS"]

FINDING_COLUMNS = (
    "check_name VARCHAR",
    "patient_id VARCHAR",
    "event_id BIGINT",
    "code VARCHAR",
    "date DATE",
    "detail VARCHAR",
    "suggested_fix VARCHAR",
    "rule_impact VARCHAR",
    "drop_event BOOLEAN",
    "fix_code VARCHAR",
    "fix_date DATE",
)
# Checks whose fault is the record that sets CAN_DAT: a review dated before that CAN_DAT is explained
# by them, and care_before_diagnosis leaves those patients to them.
MOVES_CAN_DAT = ("duplicate_diagnosis", "history_code_sets_diagnosis_date", "recoded_diagnosis")
# For the impact re-run: the patient date these checks clear, and how the impact is worded.
PATIENT_EDITS = {
    "record_after_death": ("date_of_death", "if the date of death is wrong: "),
    "record_after_deregistration": ("registration_end", "if the patient is still registered: "),
}
# Outcomes a PCA or an invitation this year would not change for the better: met, outside the indicator,
# already a PCA, or settled in an earlier year (R1c).
_NOT_COUNTED = ("met", "out_of_scope", *PCA_OUTCOMES, *SETTLED_OUTCOMES)


def _affected(plan: Plan) -> str:
    """Register patients whose CAN004/CAN005 outcome a PCA or invitation could still change."""
    return (
        "SELECT patient_id, string_agg(indicator || ' ' || outcome, ', ' ORDER BY indicator) AS now "
        f"FROM outcomes WHERE indicator IN {in_list(plan.ratio_ids)} "
        f"AND outcome NOT IN {in_list(_NOT_COUNTED)} GROUP BY patient_id"
    )


# --- the checks -------------------------------------------------------------------------------------


def _repeats(loose: bool) -> str:
    """Counting, non-history CAN_COD records with the latest earlier record of the same cancer.

    The same cancer: the same site group (or, for the groups that name no tumour, the same code); when
    `loose`, also a code of unspecified site beside any other (a metastasis code, "secondary", still
    matches only itself).
    """
    same = (
        "(e.site_key = r.site_key OR ((e.site = 'unspecified' OR r.site = 'unspecified') "
        "AND e.site <> 'secondary' AND r.site <> 'secondary'))"
        if loose
        else "e.site_key = r.site_key"
    )
    return (
        "SELECT r.*, e.date AS prev_date, e.code AS prev_code, "
        "MIN(e.date) OVER (PARTITION BY r.event_id) AS first_date "
        "FROM dq_dx r JOIN dq_dx e ON e.patient_id = r.patient_id AND e.counts AND NOT e.history "
        f"AND (e.date < r.date OR (e.date = r.date AND e.event_id < r.event_id)) AND {same} "
        "WHERE r.counts AND NOT r.history "
        "QUALIFY row_number() OVER (PARTITION BY r.event_id ORDER BY e.date DESC, e.event_id DESC) = 1"
    )


def _same(alias: str = "r") -> str:
    return (
        f"CASE WHEN {alias}.code = {alias}.prev_code THEN 'the same code' ELSE "
        f"{label(alias + '.prev_code', 'pt.term')} || CASE WHEN {alias}.site = 'unspecified' OR "
        f"pt_site.site = 'unspecified' THEN ' (one of the two codes names no site)' "
        f"ELSE ' (the same cancer site: ' || {alias}.site || ')' END END"
    )


def duplicate_diagnosis(plan: Plan) -> str:
    window = plan.settings.duplicate_interval
    detail = (
        f"{label('r.code', 't.term')} || ' on ' || {v('r.date')} || ' repeats ' || {_same()} || ' of ' || "
        f"{v('r.prev_date')} || ', ' || "
        + "dq_days(date_diff('day', r.prev_date, r.date))"
        + " || ' earlier' || "
        "CASE WHEN r.date = cd.can_dat THEN '; it sets the diagnosis date (CAN_DAT), so the review and "
        "support windows start again from ' || " + v("r.date") + " || '.' "
        "ELSE '; a later record sets CAN_DAT now, but each repeat restarts the windows while it is the "
        "latest.' END"
    )
    fix = s(
        "If this is the same cancer, delete the repeat or record it with episode 'review' (or use a review "
        "or letter code), so the first diagnosis date stands. If it is a new primary or a recurrence, "
        "leave it."
    )
    return (
        finding(
            "duplicate_diagnosis",
            patient="r.patient_id",
            event="r.event_id",
            code="r.code",
            date="r.date",
            detail=detail,
            fix=fix,
            drop="TRUE",
        )
        + f" FROM ({_repeats(loose=True)}) r JOIN dq_cd cd ON cd.patient_id = r.patient_id "
        "LEFT JOIN dq_terms t ON t.code = r.code LEFT JOIN dq_terms pt ON pt.code = r.prev_code "
        "LEFT JOIN dq_sites pt_site ON pt_site.code = r.prev_code "
        f"WHERE r.date > r.prev_date AND r.date <= {plus('r.prev_date', window)}"
    )


def history_code_sets_diagnosis_date(plan: Plan) -> str:
    first = "f.first_date"
    detail = (
        f"{label('h.code', 't.term')} || ' on ' || {v('h.date')} || ' sets the diagnosis date (CAN_DAT)' || "
        "CASE WHEN h.date BETWEEN p.registration_start AND p.registration_start + 90 THEN ', ' || "
        + "dq_days(date_diff('day', p.registration_start, h.date))"
        + " || ' after the patient registered on ' || "
        + v("p.registration_start")
        + " ELSE '' END || "
        f"CASE WHEN {first} IS NOT NULL THEN '; the cancer was first coded on ' || {v(first)} "
        "ELSE '; no earlier diagnosis code is in the record' END || "
        "': a past cancer counts as newly diagnosed on ' || " + v("h.date") + " || '.'"
    )
    fix = (
        f'CASE WHEN {first} IS NOT NULL THEN \'Delete the "History of" code or record it with episode '
        "''review'': the diagnosis code of ' || " + v(first) + " || ' already records this cancer.' "
        "ELSE 'Record the cancer with its CAN_COD diagnosis code dated when it was diagnosed (from the "
        "previous practice''s records or a hospital letter), in place of the \"History of\" code.' END"
    )
    rule_impact = (
        f"CASE WHEN {first} IS NULL THEN 'not computed: the real diagnosis date is not in the record; dated "
        f"correctly, the diagnosis would most likely be out_of_scope for {' and '.join(plan.ratio_ids)}' END"
    )
    return (
        finding(
            "history_code_sets_diagnosis_date",
            patient="h.patient_id",
            event="h.event_id",
            code="h.code",
            date="h.date",
            detail=detail,
            fix=fix,
            rule_impact=rule_impact,
            drop=f"{first} IS NOT NULL",
        )
        + " FROM dq_dx h JOIN dq_cd cd ON cd.patient_id = h.patient_id AND h.date = cd.can_dat "
        "JOIN dq_pop p ON p.patient_id = h.patient_id "
        "LEFT JOIN (SELECT patient_id, MIN(date) AS first_date FROM dq_dx WHERE counts AND NOT history "
        "GROUP BY patient_id) f ON f.patient_id = h.patient_id "
        "LEFT JOIN dq_terms t ON t.code = h.code "
        "WHERE h.counts AND h.history AND NOT EXISTS (SELECT 1 FROM dq_dx y WHERE y.patient_id = h.patient_id "
        "AND y.counts AND NOT y.history AND y.date = h.date)"
    )


def recoded_diagnosis(plan: Plan) -> str:
    window = plan.settings.duplicate_interval
    floor = d(plan.register_floor)
    detail = (
        f"{label('r.code', 't.term')} || ' on ' || {v('r.date')} || ' sets the diagnosis date (CAN_DAT) and "
        f"repeats ' || {_same()} || ' of ' || {v('r.prev_date')} || ' (' || "
        + v("date_diff('month', r.prev_date, r.date)")
        + " || ' months earlier)' || "
        f"CASE WHEN r.first_date < {floor} THEN '; the cancer was first coded on ' || {v('r.first_date')} || "
        f"', before the register began on {plan.register_floor.isoformat()}: without this record the "
        "patient would not be on the register' ELSE '' END || '.'"
    )
    fix = (
        "'If this is the same cancer entered again (from a letter, a summary or at registration), delete "
        "it or record it with episode ''review'', so the diagnosis date stays ' || "
        + v("r.prev_date")
        + " || '. If it is a recurrence or a new primary, it is right: leave it.'"
    )
    return (
        finding(
            "recoded_diagnosis",
            patient="r.patient_id",
            event="r.event_id",
            code="r.code",
            date="r.date",
            detail=detail,
            fix=fix,
            drop="TRUE",
        )
        + f" FROM ({_repeats(loose=False)}) r JOIN dq_cd cd ON cd.patient_id = r.patient_id AND r.date = cd.can_dat "
        "LEFT JOIN dq_terms t ON t.code = r.code LEFT JOIN dq_terms pt ON pt.code = r.prev_code "
        "LEFT JOIN dq_sites pt_site ON pt_site.code = r.prev_code "
        f"WHERE r.date > {plus('r.prev_date', window)}"
    )


def diagnosis_only_before_2003(plan: Plan) -> str:
    floor = plan.register_floor.isoformat()
    detail = (
        f"{label('x.code', 't.term')} || ' on ' || {v('x.date')} || ' is the latest cancer diagnosis code, "
        f"before the register began on {floor}: the patient is not on the cancer register.'"
    )
    fix = s(
        f"Right if the cancer was diagnosed before {floor}. If it was diagnosed, or came back, on or after "
        f"{floor}, correct the date or record the later diagnosis."
    )
    return (
        finding(
            "diagnosis_only_before_2003",
            patient="x.patient_id",
            event="x.event_id",
            code="x.code",
            date="x.date",
            detail=detail,
            fix=fix,
            rule_impact=s(f"{plan.register_id}: not on the register (right if diagnosed before {floor})"),
        )
        + " FROM dq_dx x JOIN dq_cd cd ON cd.patient_id = x.patient_id AND x.date = cd.can_dat "
        "LEFT JOIN dq_terms t ON t.code = x.code "
        f"WHERE x.counts AND cd.can_dat < {d(plan.register_floor)} "
        "QUALIFY row_number() OVER (PARTITION BY x.patient_id ORDER BY x.event_id) = 1"
    )


def _cancer_like(kinds: tuple[str, ...]) -> str:
    """The latest cancer-like record of `kinds` of patients with no counting CAN_COD record."""
    return (
        "SELECT e.*, l.kind, l.fix_code, l.suggested FROM dq_ev e JOIN dq_cancer_like l ON l.code = e.code "
        f"WHERE e.cluster_id = {s(CANCERLIKE_CLUSTER)} AND l.kind IN {in_list(kinds)} "
        "AND NOT EXISTS (SELECT 1 FROM dq_cd c WHERE c.patient_id = e.patient_id) "
        "QUALIFY row_number() OVER (PARTITION BY e.patient_id ORDER BY e.date DESC, e.event_id) = 1"
    )


def cancer_code_not_in_can_cod(plan: Plan) -> str:
    detail = (
        f"{label('m.code', 't.term')} || ' on ' || {v('m.date')} || CASE m.kind WHEN 'local' THEN "
        "' is a practice-local code' ELSE ' is a morphology code (the tumour''s histology)' END || "
        "', not a CAN_COD diagnosis code, and the patient has no CAN_COD code: they are not on the cancer "
        "register.'"
    )
    fix = (
        "'Record the cancer with a CAN_COD diagnosis code dated when it was diagnosed' || CASE WHEN "
        f"m.suggested IS NOT NULL THEN ', for example ' || {label('m.suggested', 'st.term')} || "
        "' (the code for the primary site where it is known)' ELSE ' (the code for the primary site)' END || '.'"
    )
    return (
        finding(
            "cancer_code_not_in_can_cod",
            patient="m.patient_id",
            event="m.event_id",
            code="m.code",
            date="m.date",
            detail=detail,
            fix=fix,
            fix_code="m.fix_code",
            fix_date="m.date",
        )
        + f" FROM ({_cancer_like(('morphology', 'local'))}) m LEFT JOIN dq_terms t ON t.code = m.code "
        "LEFT JOIN dq_terms st ON st.code = m.suggested"
    )


def skin_cancer_not_on_register(plan: Plan) -> str:
    detail = (
        f"{label('m.code', 't.term')} || ' on ' || {v('m.date')} || CASE m.kind WHEN "
        "'skin_cancer_unspecified' THEN ': a skin cancer code that does not say which skin cancer' ELSE "
        "': non-melanoma skin cancer, which the cancer register leaves out by definition' END || '; the "
        "patient has no CAN_COD code.'"
    )
    fix = s(
        "Nothing to do if it is a basal cell or squamous cell carcinoma of the skin. If the histology showed "
        "a melanoma, a Merkel cell carcinoma or another cancer, record that with its CAN_COD code."
    )
    return (
        finding(
            "skin_cancer_not_on_register",
            patient="m.patient_id",
            event="m.event_id",
            code="m.code",
            date="m.date",
            detail=detail,
            fix=fix,
            rule_impact=s(
                f"none if it is a basal or squamous cell carcinoma of the skin; otherwise {plan.register_id}: "
                "missing from the register"
            ),
        )
        + f" FROM ({_cancer_like(NMSC_KINDS)}) m LEFT JOIN dq_terms t ON t.code = m.code"
    )


def care_without_diagnosis(plan: Plan) -> str:
    clusters = sorted(
        {c for w in plan.care for c in w.clusters} | set(plan.pca_clusters) | set(plan.invite_clusters)
    )
    detail = (
        f"{label('e.code', 't.term')} || ' (' || e.cluster_id || ') on ' || {v('e.date')} || ', but no "
        "cancer diagnosis code (CAN_COD) anywhere in the record: the patient is not on the register, so "
        "it counts for nothing.'"
    )
    fix = s(
        "If the patient has cancer, record the diagnosis with a CAN_COD code dated when it was diagnosed. "
        "If not, the record belongs to another patient: move it."
    )
    ratio = " and ".join(plan.ratio_ids)
    return (
        finding(
            "care_without_diagnosis",
            patient="e.patient_id",
            event="e.event_id",
            code="e.code",
            date="e.date",
            detail=detail,
            fix=fix,
            rule_impact=s(f"{plan.register_id}: not on the register; {ratio} do not count the patient"),
        )
        + " FROM dq_ev e LEFT JOIN dq_terms t ON t.code = e.code "
        f"WHERE e.cluster_id IN {in_list(clusters)} "
        "AND NOT EXISTS (SELECT 1 FROM dq_dx x WHERE x.patient_id = e.patient_id) "
        f"AND NOT EXISTS (SELECT 1 FROM dq_ev c WHERE c.patient_id = e.patient_id AND c.cluster_id = "
        f"{s(CANCERLIKE_CLUSTER)}) "
        "QUALIFY row_number() OVER (PARTITION BY e.patient_id ORDER BY e.date DESC, e.event_id) = 1"
    )


def _moved(alias: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM dq_findings f JOIN dq_cd c ON c.patient_id = f.patient_id "
        f"WHERE f.patient_id = {alias}.patient_id AND f.check_name IN {in_list(MOVES_CAN_DAT)} "
        "AND f.date = c.can_dat)"
    )


def care_before_diagnosis(plan: Plan) -> str:
    parts = []
    for w in plan.care:
        detail = (
            f"{label('e.code', 't.term')} || ' on ' || {v('e.date')} || ' is ' || "
            + "dq_days(date_diff('day', e.date, o.can_dat))"
            + " || ' before the diagnosis date (CAN_DAT) ' || "
            + v("o.can_dat")
            + f" || ': {w.indicator} counts it only on or after CAN_DAT.'"
        )
        fix = s(
            "Check the diagnosis date: if the cancer was diagnosed before this record (its code entered "
            "late, from a letter), correct the diagnosis code's date to the date of diagnosis. Do not "
            "re-date this record."
        )
        impact = (
            f"'{w.indicator}: ' || o.outcome || ' now; met if the diagnosis was dated on or before ' || "
            + v("e.date")
        )
        parts.append(
            finding(
                "care_before_diagnosis",
                patient="e.patient_id",
                event="e.event_id",
                code="e.code",
                date="e.date",
                detail=detail,
                fix=fix,
                rule_impact=impact,
            )
            + " FROM dq_ev e JOIN outcomes o ON o.patient_id = e.patient_id "
            f"AND o.indicator = {s(w.indicator)} LEFT JOIN dq_terms t ON t.code = e.code "
            f"WHERE e.cluster_id IN {in_list(w.clusters)} AND e.date < o.can_dat "
            f"AND e.date >= {minus('o.can_dat', w.within)} AND o.outcome NOT IN ('met', 'out_of_scope') "
            f"AND {_moved('e')} "
            "QUALIFY row_number() OVER (PARTITION BY e.patient_id ORDER BY e.date DESC, e.event_id) = 1"
        )
    return " UNION ALL ".join(parts) if parts else ""


def care_just_after_window(plan: Plan) -> str:
    parts = []
    grace = plan.settings.just_after_days
    for w in plan.care:
        due = plus("o.can_dat", w.within)
        detail = (
            f"{label('e.code', 't.term')} || ' on ' || {v('e.date')} || ' is ' || "
            + f"dq_days(date_diff('day', {due}, e.date))"
            + f" || ' after its window ({w.within} from the diagnosis) closed on ' || "
            + v(due)
            + f" || ' ({w.indicator} counts it on or before that day).'"
        )
        fix = s(
            "Nothing to correct if the date is right: it was late. If it took place in time and was entered "
            "late, correct its date to the day it took place."
        )
        impact = f"'{w.indicator}: not_met; met had it been on or before ' || " + v(due)
        parts.append(
            finding(
                "care_just_after_window",
                patient="e.patient_id",
                event="e.event_id",
                code="e.code",
                date="e.date",
                detail=detail,
                fix=fix,
                rule_impact=impact,
            )
            + " FROM dq_ev e JOIN outcomes o ON o.patient_id = e.patient_id "
            f"AND o.indicator = {s(w.indicator)} LEFT JOIN dq_terms t ON t.code = e.code "
            f"WHERE e.cluster_id IN {in_list(w.clusters)} AND o.outcome = 'not_met' "
            f"AND e.date > {due} AND e.date <= {due} + {int(grace)} "
            "QUALIFY row_number() OVER (PARTITION BY e.patient_id ORDER BY e.date, e.event_id) = 1"
        )
    return " UNION ALL ".join(parts) if parts else ""


def _lookback_start(plan: Plan) -> date:
    back = plan.settings.pca_lookback
    if back.unit == "days":
        return date.fromordinal(plan.ppsd.toordinal() - back.amount)
    return add_months(plan.ppsd, -back.amount)


def pca_previous_year(plan: Plan) -> str:
    """PCA records from the previous year; invitations from it where, recorded this year, they would
    make the pair the no-response PCA needs (a lone old invitation is no coding fault)."""
    pca = tuple(c for c in plan.pca_clusters if c not in plan.invite_clusters)
    if not pca and not plan.invite_clusters:
        return ""
    start, ppsd, gap = d(_lookback_start(plan)), d(plan.ppsd), plan.invite_gap_days
    pairs = (
        "SELECT patient_id FROM dq_ev "
        f"WHERE cluster_id IN {in_list(plan.invite_clusters)} AND date >= {start} GROUP BY patient_id "
        f"HAVING COUNT(*) >= 2 AND date_diff('day', MIN(date), MAX(date)) >= {gap} "
        f"AND MIN(date) < {ppsd}"
    )
    detail = (
        f"{label('r.code', 't.term')} || ' (' || r.cluster_id || ') on ' || {v('r.date')} || ' was recorded "
        f"in the previous QOF year: PCA and invitation codes count only in the year they are recorded "
        f"(from {plan.ppsd.isoformat()}). Now: ' || a.now || '.'"
    )
    fix = (
        f"CASE WHEN r.cluster_id IN {in_list(plan.invite_clusters)} THEN 'Invite the patient again this "
        f"year: two invitations at least {gap} days apart, both in this QOF year.' ELSE 'If it still "
        "applies, discuss it with the patient again and record it again this year: it must be recorded in "
        "each QOF year.' END"
    )
    fix_date = f"LEAST({ppsd} + CAST((r.k - 1) * {gap} AS INTEGER), {d(plan.ach)})"
    return (
        finding(
            "pca_previous_year",
            patient="r.patient_id",
            event="r.event_id",
            code="r.code",
            date="r.date",
            detail=detail,
            fix=fix,
            fix_code="r.code",
            fix_date=fix_date,
        )
        + " FROM (SELECT e.*, row_number() OVER (PARTITION BY e.patient_id, e.cluster_id "
        "ORDER BY e.date, e.event_id) AS k FROM dq_ev e "
        f"WHERE e.date >= {start} AND e.date < {ppsd} AND (e.cluster_id IN {in_list(pca)} OR "
        f"(e.cluster_id IN {in_list(plan.invite_clusters)} AND e.patient_id IN ({pairs})))) r "
        f"JOIN ({_affected(plan)}) a ON a.patient_id = r.patient_id LEFT JOIN dq_terms t ON t.code = r.code"
    )


def invitations_too_close(plan: Plan) -> str:
    if not plan.invite_clusters:
        return ""
    gap = plan.invite_gap_days
    second = f"i.first_date + {gap}"
    detail = (
        "i.n || ' invitations this year, the first on ' || "
        + v("i.first_date")
        + " || ' and the last on ' || "
        + v("i.last_date")
        + " || ': ' || "
        + "dq_days(date_diff('day', i.first_date, i.last_date))"
        + f" || ' apart; PCA for no response needs two at least {gap} days apart. Now: ' || a.now || '.'"
    )
    fix = "'Send another invitation on or after ' || " + v(second) + " || '.'"
    rule_impact = (
        f"CASE WHEN {second} > {d(plan.ach)} THEN 'not computed: the next valid invitation date is after "
        "the achievement date' END"
    )
    return (
        finding(
            "invitations_too_close",
            patient="i.patient_id",
            event="i.event_id",
            code="i.code",
            date="i.last_date",
            detail=detail,
            fix=fix,
            rule_impact=rule_impact,
            fix_code=f"CASE WHEN {second} <= {d(plan.ach)} THEN i.code END",
            fix_date=second,
        )
        + " FROM (SELECT patient_id, COUNT(*) AS n, MIN(date) AS first_date, MAX(date) AS last_date, "
        "arg_min(code, date) AS code, arg_max(event_id, date) AS event_id FROM dq_ev "
        f"WHERE cluster_id IN {in_list(plan.invite_clusters)} AND date >= {d(plan.ppsd)} GROUP BY patient_id "
        f"HAVING COUNT(*) >= 2 AND date_diff('day', MIN(date), MAX(date)) < {gap}) i "
        f"JOIN ({_affected(plan)}) a ON a.patient_id = i.patient_id"
    )


def local_code(plan: Plan) -> str:
    detail = (
        f"{label('e.code', 't.term')} || ' on ' || {v('e.date')} || ' is a practice-local code (from ' || "
        "l.cluster_id || '.local.csv): this tool counts it, but the national QOF extraction reads national "
        "codes only.'"
    )
    fix = (
        "'Record it with a national ' || l.cluster_id || ' code' || COALESCE(' (for example ' || "
        + label("l.example", "xt.term")
        + " || ')', '') || ' and stop using the local code.'"
    )
    return (
        finding(
            "local_code",
            patient="e.patient_id",
            event="e.event_id",
            code="e.code",
            date="e.date",
            detail=detail,
            fix=fix,
            drop="TRUE",
        )
        + " FROM dq_ev e JOIN dq_local l ON l.code = e.code AND l.cluster_id = e.cluster_id "
        "LEFT JOIN dq_terms t ON t.code = e.code LEFT JOIN dq_terms xt ON xt.code = l.example"
    )


def placeholder_code(plan: Plan) -> str:
    detail = (
        f"{label('e.code', 't.term')} || ' on ' || {v('e.date')} || ' is a placeholder code for ' || "
        "h.cluster_id || ', not in the national list this run uses: it does not count.'"
    )
    fix = (
        "'Record it with a national ' || h.cluster_id || ' code (for example ' || "
        + label("h.target_code", "xt.term")
        + " || ').'"
    )
    return (
        finding(
            "placeholder_code",
            patient="e.patient_id",
            event="e.event_id",
            code="e.code",
            date="e.date",
            detail=detail,
            fix=fix,
            fix_code="h.target_code",
            fix_date="e.date",
        )
        + " FROM dq_ev e JOIN dq_placeholders h ON h.code = e.code "
        "LEFT JOIN dq_terms t ON t.code = e.code LEFT JOIN dq_terms xt ON xt.code = h.target_code "
        f"WHERE e.cluster_id = {s(PLACEHOLDER_CLUSTER)}"
    )


def _after(check: str, column: str, words: str, fix: str, extra: str = "") -> str:
    detail = (
        f"x.n || ' record(s) dated after {words} (' || {v('x.limit_date')} || '), the last ' || "
        + label("x.code", "t.term")
        + f" || ' on ' || {v('x.date')} || '.'"
    )
    return (
        finding(
            check,
            patient="x.patient_id",
            event="x.event_id",
            code="x.code",
            date="x.date",
            detail=detail,
            fix=s(fix),
        )
        + " FROM (SELECT e.patient_id, COUNT(*) AS n, MAX(e.date) AS date, arg_max(e.code, e.date) AS code, "
        f"arg_max(e.rowid, e.date) AS event_id, ANY_VALUE(p.{column}) AS limit_date "
        f"FROM events e JOIN patients p ON p.patient_id = e.patient_id WHERE e.date > p.{column} {extra} "
        "GROUP BY e.patient_id) x LEFT JOIN dq_terms t ON t.code = x.code"
    )


def record_after_death(plan: Plan) -> str:
    return _after(
        "record_after_death",
        "date_of_death",
        "the date of death",
        "Check the patient: if the date of death is wrong, correct it; if the records belong to someone "
        "else, move them to the right patient.",
    )


def record_after_deregistration(plan: Plan) -> str:
    return _after(
        "record_after_deregistration",
        "registration_end",
        "the registration ended",
        "Check the records: entries after the patient left are usually on the wrong patient or carry a "
        "wrong date. If the patient is still registered, correct the registration end.",
        extra="AND (p.date_of_death IS NULL OR e.date <= p.date_of_death)",
    )


Builder = Callable[[Plan], str]

# In catalogue order; care_before_diagnosis reads the findings of the MOVES_CAN_DAT checks before it.
BUILDERS: dict[str, Builder] = {
    "duplicate_diagnosis": duplicate_diagnosis,
    "history_code_sets_diagnosis_date": history_code_sets_diagnosis_date,
    "recoded_diagnosis": recoded_diagnosis,
    "diagnosis_only_before_2003": diagnosis_only_before_2003,
    "cancer_code_not_in_can_cod": cancer_code_not_in_can_cod,
    "skin_cancer_not_on_register": skin_cancer_not_on_register,
    "care_without_diagnosis": care_without_diagnosis,
    "care_before_diagnosis": care_before_diagnosis,
    "care_just_after_window": care_just_after_window,
    "pca_previous_year": pca_previous_year,
    "invitations_too_close": invitations_too_close,
    "local_code": local_code,
    "placeholder_code": placeholder_code,
    "record_after_death": record_after_death,
    "record_after_deregistration": record_after_deregistration,
}
