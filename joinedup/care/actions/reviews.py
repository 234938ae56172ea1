"""Continual review."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Membership, Organisation, User
from joinedup.people.models import Person, RelationshipType

from .. import plans, policies
from ..models import (
    CarePlan,
    CareTeamMember,
    CaseloadEntry,
    Stage,
    Task,
    TaskKind,
    TaskStatus,
)
from .plans import _new_version, current_content


def _review_owner(person_id: int) -> tuple[Organisation, User | None] | None:
    """Who reviews: the named key worker, else the lead professional, else anyone in the
    care team, else the person's registered practice."""
    member = (
        CareTeamMember.objects.filter(person_id=person_id, left_at__isnull=True)
        .select_related("organisation", "user")
        .order_by("-is_key_worker", "-is_lead", "joined_at")
        .first()
    )
    if member is not None:
        return member.organisation, member.user
    practice = (
        Person.objects.filter(pk=person_id).values_list("registered_practice_id", flat=True).first()
    )
    return (Organisation.objects.get(pk=practice), None) if practice else None


def raise_reviews(reasons: dict[int, list[str]], *, source: str) -> int:
    """Ask for a review of the plans of these people (``{person_id: [why, ...]}``): a
    review task for the key worker (or lead, or practice). Someone who already has an open
    review gets the new reasons added to it. People without a plan are skipped. Returns
    how many review tasks were created."""
    if not reasons:
        return 0
    with_plans = set(
        CarePlan.objects.filter(person_id__in=list(reasons)).values_list("person_id", flat=True)
    )
    open_reviews = {
        t.person_id: t
        for t in Task.objects.filter(
            person_id__in=with_plans, kind=TaskKind.REVIEW, status__in=policies.OPEN_TASK
        )
    }
    now, created = timezone.now(), 0
    for person_id in sorted(with_plans):
        why = "; ".join(reasons[person_id])
        task = open_reviews.get(person_id)
        if task is not None:
            if why not in task.detail:
                task.detail = f"{task.detail}\n{why}".strip()[: plans.MAX_TEXT]
                task.updated_at = now
                task.save(update_fields=["detail", "updated_at"])
            continue
        owner = _review_owner(person_id)
        if owner is None:
            continue
        organisation, user = owner
        task = Task.objects.create(
            person_id=person_id,
            kind=TaskKind.REVIEW,
            description="Review the personalised care and support plan",
            detail=why[: plans.MAX_TEXT],
            requester=None,
            requester_organisation=organisation,
            owner_organisation=organisation,
            owner_user=user,
            due=timezone.localdate() + timedelta(days=policies.REVIEW_DUE_DAYS),
            created_at=now,
            updated_at=now,
            source=source[:100],
        )
        CaseloadEntry.objects.filter(person_id=person_id, stage=Stage.PLAN_AGREED).update(
            stage=Stage.UNDER_REVIEW, stage_changed_at=now
        )
        record_audit(
            by=None,
            organisation=organisation,
            action="care.review.raise",
            person_id=person_id,
            object_type="task",
            object_id=task.pk,
            detail={"source": source},
        )
        created += 1
    return created


@transaction.atomic
def check_review_triggers(*, today: date | None = None) -> dict:
    """The daily look for reviews: plans whose review date has come, and plans of people
    whose carer changed since the last look. (A new condition, a change of frailty band
    and hospital use are found when the caseload is refreshed from a population run.)"""
    from joinedup.people.models import Relationship

    today = today or timezone.localdate()
    now = timezone.now()
    reasons: dict[int, list[str]] = {}
    for plan in CarePlan.objects.filter(review_date__lte=today):
        reasons.setdefault(plan.person_id, []).append(
            f"Review date {plan.review_date:%-d %B %Y} reached"
        )
    carers_changed = 0
    for plan in CarePlan.objects.all().only("pk", "person_id", "created_at", "triggers_checked_at"):
        since = plan.triggers_checked_at or plan.created_at
        changed = Relationship.objects.filter(
            Q(created_at__gt=since) | Q(ended_at__gt=since),
            person_id=plan.person_id,
            type=RelationshipType.CARER,
        ).exists()
        if changed:
            carers_changed += 1
            reasons.setdefault(plan.person_id, []).append("Their carer changed")
    CarePlan.objects.update(triggers_checked_at=now)
    return {
        "due": sum("reached" in " ".join(r) for r in reasons.values()),
        "carer_changes": carers_changed,
        "reviews": raise_reviews(reasons, source="review check"),
    }


@transaction.atomic
def record_review(
    *,
    by: User,
    membership: Membership,
    plan: CarePlan,
    base_version: int,
    what_changed: str,
    next_review: date | None,
    today: date | None = None,
) -> CarePlan:
    """Record a review with the person: what changed, and the next review date. Makes a
    new plan version, completes the open review tasks, and moves the caseload entry back
    to 'plan agreed'."""
    today = today or timezone.localdate()
    what_changed = (what_changed or "").strip()
    errors = {}
    if not what_changed:
        errors["what_changed"] = "Say what changed (or that nothing did)"
    elif len(what_changed) > plans.MAX_TEXT:
        errors["what_changed"] = f"Keep this to {plans.MAX_TEXT:,} characters"
    if next_review is None:
        errors["next_review"] = "Enter the next review date"
    elif next_review <= today:
        errors["next_review"] = "The next review date must be in the future"
    if errors:
        raise ValidationError(errors)
    content = current_content(plan)
    content["review"] = {
        **(content.get("review") or {}),
        "date": next_review.isoformat(),
        "last_reviewed": today.isoformat(),
        "what_changed": what_changed,
    }
    plan = _new_version(
        by=by,
        membership=membership,
        plan=plan,
        base_version=base_version,
        content=content,
        summary=f"Reviewed: {what_changed[:200]}",
    )
    now = timezone.now()
    for task in Task.objects.filter(
        person_id=plan.person_id, kind=TaskKind.REVIEW, status__in=policies.OPEN_TASK
    ):
        task.status, task.outcome = TaskStatus.COMPLETED, what_changed
        task.updated_at, task.version = now, task.version + 1
        task.save(update_fields=["status", "outcome", "updated_at", "version"])
    CaseloadEntry.objects.filter(person_id=plan.person_id, stage=Stage.UNDER_REVIEW).update(
        stage=Stage.PLAN_AGREED, stage_changed_at=now
    )
    return plan
