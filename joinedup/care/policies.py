"""When things may happen in care coordination: caseload priority, stage moves, task
status moves."""

from .models import Stage, TaskStatus

# Priority on the caseload: multimorbidity first, then frailty, deprivation and recent
# hospital use. Each term is on a similar scale (about 0–3), so no one dominates.
# These are the defaults; each place may set its own (``care.place_rules``, the "priority"
# section of its settings).
FRAILTY_WEIGHT = {"fit": 0.0, "mild": 0.75, "moderate": 1.5, "severe": 2.25}
DEPRIVATION_WEIGHT = {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25, 5: 0.0}
ADMISSION_WEIGHT, AE_WEIGHT, HOSPITAL_CAP = 1.0, 0.5, 3.0
# A plan is reviewed this often unless the place says otherwise (about six months).
REVIEW_INTERVAL_DAYS = 182


def priority(
    *,
    cms: float,
    efi_band: str,
    imd_quintile: int | None,
    admissions_12m: int,
    ae_attendances_12m: int,
    weights: dict | None = None,
) -> float:
    """Cambridge Multimorbidity Score + frailty band + deprivation (IMD quintile 1 most
    deprived) + hospital use (admissions count double A&E attendances, capped at 3), with
    the place's ``weights`` (the "priority" section of its settings) when given.

    >>> priority(cms=1.2, efi_band="moderate", imd_quintile=1, admissions_12m=1,
    ...          ae_attendances_12m=0)
    4.7
    """
    if weights is None:
        frailty, deprivation = FRAILTY_WEIGHT, DEPRIVATION_WEIGHT
        admission, ae, cap = ADMISSION_WEIGHT, AE_WEIGHT, HOSPITAL_CAP
    else:
        frailty = weights["frailty"]
        deprivation = {int(q): w for q, w in weights["deprivation"].items()}
        admission, ae, cap = weights["admission"], weights["ae"], weights["hospital_cap"]
    hospital = min(cap, admission * admissions_12m + ae * ae_attendances_12m)
    score = cms + frailty.get(efi_band, 0.0) + deprivation.get(imd_quintile or 0, 0.0) + hospital
    return round(score, 3)


# The care-coordination journey. Closing is possible from anywhere (with a reason);
# a closed entry can be reopened at identified.
STAGE_MOVES = {
    Stage.IDENTIFIED: {Stage.CONTACTED, Stage.CLOSED},
    Stage.CONTACTED: {Stage.ASSESSED, Stage.IDENTIFIED, Stage.CLOSED},
    Stage.ASSESSED: {Stage.PLAN_AGREED, Stage.CONTACTED, Stage.CLOSED},
    Stage.PLAN_AGREED: {Stage.UNDER_REVIEW, Stage.CLOSED},
    Stage.UNDER_REVIEW: {Stage.PLAN_AGREED, Stage.CLOSED},
    Stage.CLOSED: {Stage.IDENTIFIED},
}

# FHIR Task lifecycle: requested → accepted or rejected → in progress → completed; a
# task can be cancelled by its requester until it is finished.
TASK_MOVES = {
    TaskStatus.REQUESTED: {TaskStatus.ACCEPTED, TaskStatus.REJECTED, TaskStatus.CANCELLED},
    TaskStatus.ACCEPTED: {TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.CANCELLED},
    TaskStatus.IN_PROGRESS: {TaskStatus.COMPLETED, TaskStatus.CANCELLED},
    TaskStatus.REJECTED: set(),
    TaskStatus.COMPLETED: set(),
    TaskStatus.CANCELLED: set(),
}
OPEN_TASK = (TaskStatus.REQUESTED, TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS)
# Only the owner's side works a task; only the requester's side cancels it.
OWNER_MOVES = {
    TaskStatus.ACCEPTED,
    TaskStatus.REJECTED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.COMPLETED,
}


# A review raised by a trigger is due within this many days.
REVIEW_DUE_DAYS = 14


def review_reasons(before, after) -> list[str]:
    """Why a refreshed population result calls for a plan review: a new long-term
    condition, a change of frailty band, a new hospital admission or A&E attendance
    (counts over the last 12 months that went up). ``before`` is the caseload entry,
    ``after`` the new profile."""
    reasons = []
    if after.ltc_count > before.ltc_count:
        reasons.append(f"New long-term condition ({before.ltc_count} → {after.ltc_count})")
    if before.efi_band and after.efi_band and after.efi_band != before.efi_band:
        reasons.append(f"Frailty changed from {before.efi_band} to {after.efi_band}")
    if after.admissions_12m > before.admissions_12m:
        reasons.append("New hospital admission")
    if after.ae_attendances_12m > before.ae_attendances_12m:
        reasons.append("New A&E attendance")
    return reasons
