"""Reads that join the directory to a person's plan: which action a search is for, what
it needs, and the referrals made from each action with how far they have got."""

from dataclasses import dataclass

from django.utils import timezone

from joinedup.care.interface import CarePlan, TaskStatus
from joinedup.core.jinja_env import nhs_date

from . import needs
from .models import ServiceReferral

# Each ONS4 measure as a short name, for "life satisfaction 4 to 7".
ONS4_SHORT = (
    ("satisfied", "life satisfaction"),
    ("worthwhile", "feeling worthwhile"),
    ("happy", "happiness"),
    ("anxious", "anxiety"),
)


def plan_actions(person) -> list[dict]:
    """The actions of the person's plan as it is now (none without a plan)."""
    plan = CarePlan.objects.filter(person=person).first()
    version = plan.versions.first() if plan is not None else None
    return list((version.content.get("actions") or []) if version else [])


def plan_action(person, action_id: str) -> dict | None:
    """One action of the person's plan by its id, or None."""
    if not action_id:
        return None
    return next((a for a in plan_actions(person) if a.get("id") == action_id), None)


def needs_for_action(action: dict) -> list[str]:
    """The needs to search for an action: the need it names, or the needs of the
    assessment domain it names (narrowed by its words when the domain has several), or
    else the need its words are about."""
    text = " ".join(str(action.get(k) or "") for k in ("what", "who"))
    code = str(action.get("need") or "")
    if code in needs.BY_CODE:
        return [code]
    of_domain = [n.code for n in needs.for_domain(str(action.get("domain") or ""))]
    if of_domain:
        by_words = [c for c in needs.for_text(str(action.get("what") or "")) if c in of_domain]
        return by_words or of_domain[:1]
    return needs.for_text(str(action.get("what") or text))


@dataclass
class Progress:
    """How far one referral has got, in words for the plan: ``label`` ("Sent",
    "Declined") then ``detail`` (" by Age Well: the club is full")."""

    referral: ServiceReferral
    label: str
    detail: str
    wellbeing: list[tuple[str, int, int]]  # (measure, before, after)


def progress(referral: ServiceReferral) -> Progress:
    task = referral.task
    owner = task.owner_organisation.name
    sent = nhs_date(timezone.localdate(task.created_at))
    reason = f": {task.status_reason}" if task.status_reason else ""
    label, detail = {
        TaskStatus.REQUESTED: ("Sent", f" on {sent}: waiting for {owner} to accept"),
        TaskStatus.ACCEPTED: ("Accepted", f" by {owner}"),
        TaskStatus.IN_PROGRESS: ("Accepted", f" by {owner}, who are in touch with them"),
        TaskStatus.REJECTED: ("Declined", f" by {owner}{reason}"),
        TaskStatus.COMPLETED: ("Finished", f": {task.outcome}" if task.outcome else ""),
        TaskStatus.CANCELLED: ("Cancelled", reason),
    }[TaskStatus(task.status)]
    wellbeing = []
    if referral.before and referral.after:
        wellbeing = [
            (name, referral.before[key], referral.after[key])
            for key, name in ONS4_SHORT
            if key in referral.before and key in referral.after
        ]
    return Progress(referral, label, detail, wellbeing)


def referrals_by_plan_action(person) -> dict[str, list[Progress]]:
    """The referrals made from each of the person's plan actions, newest first."""
    found: dict[str, list[Progress]] = {}
    referrals = (
        ServiceReferral.objects.filter(task__person=person)
        .exclude(plan_action="")
        .select_related("service__organisation", "task__owner_organisation")
        .order_by("-task__created_at", "-pk")
    )
    for referral in referrals:
        found.setdefault(referral.plan_action, []).append(progress(referral))
    return found


def wellbeing_changes(*, until) -> list[float]:
    """For the partnership's indicators: the change in life satisfaction (ONS4 "satisfied",
    after minus before, 0–10) of every referral with both recorded by ``until``."""
    changes = []
    for before, after in ServiceReferral.objects.filter(
        before__isnull=False, after__isnull=False, after_recorded_at__date__lte=until
    ).values_list("before", "after"):
        if isinstance(before.get("satisfied"), int) and isinstance(after.get("satisfied"), int):
            changes.append(float(after["satisfied"] - before["satisfied"]))
    return changes
