"""Referrals to services, closed loop, with wellbeing before and after."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.care.interface import TaskKind
from joinedup.core.actions import record_audit
from joinedup.core.models import (
    Membership,
    User,
)
from joinedup.people.models import Person

from ..models import (
    ONS4,
    Consent,
    Service,
    ServiceReferral,
    ServiceStatus,
)

SMALL_NUMBER = 5  # outcomes of fewer referrals than this are not shown


# Each ONS4 question in words, for messages about its answer ("Enter how happy ...").
ONS4_IN_WORDS = {
    "satisfied": "how satisfied they are with their life nowadays",
    "worthwhile": "how worthwhile they feel the things they do are",
    "happy": "how happy they felt yesterday",
    "anxious": "how anxious they felt yesterday",
}


def ons4_scores(data, prefix: str) -> dict | None:
    """ONS4 answers ("{prefix}satisfied" ...) as {measure: 0–10}; None when all are blank;
    a ValidationError naming every field that is not a whole number from 0 to 10, or is
    blank when others are answered."""
    scores, errors, missing = {}, {}, []
    for key, _ in ONS4:
        raw = str(data.get(f"{prefix}{key}", "")).strip()
        if raw == "":
            missing.append(key)
        elif not raw.isdecimal() or int(raw) > 10:
            errors[f"{prefix}{key}"] = f"Enter {ONS4_IN_WORDS[key]} as a whole number from 0 to 10"
        else:
            scores[key] = int(raw)
    if len(missing) < len(ONS4):
        for key in missing:
            errors[f"{prefix}{key}"] = (
                f"Enter {ONS4_IN_WORDS[key]} too (from 0 to 10), or leave all four blank"
            )
    if errors:
        raise ValidationError(errors)
    return scores or None


@transaction.atomic
def refer(
    *,
    by: User,
    membership: Membership,
    person: Person,
    service: Service,
    reason: str,
    consent: str,
    before: dict | None = None,
    answers=None,
    plan_action: str = "",
) -> ServiceReferral:
    """Refer a person to a service, with their consent: a care referral to the
    organisation that works the service's referrals (the caller has already checked that
    the membership may open the person). Wellbeing now is ``before`` ({measure: 0–10}) or
    read from a form's ``answers`` ("before_satisfied" ...); every error is raised at once."""
    from joinedup.care.interface import create_task

    errors = {}
    if consent not in Consent.values:
        errors["consent"] = ["Say how the person agreed to the referral"]
    if answers is not None:
        try:
            before = ons4_scores(answers, "before_")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    plan_action = (plan_action or "").strip()
    if plan_action:
        from ..queries import plan_action as find_action

        if find_action(person, plan_action) is None:
            errors["action"] = [f"That action is not in {person.full_name}'s plan"]
    if errors:
        raise ValidationError(errors)
    if service.status != ServiceStatus.ACTIVE:
        raise ValidationError({"service": f"{service.name} is not taking referrals now"})
    partner = service.organisation.partner
    if partner is None:
        raise ValidationError(
            {"service": f"{service.organisation.name} does not take referrals through joinedup"}
        )
    task = create_task(
        by=by,
        membership=membership,
        person=person,
        description=f"Referral to {service.name}"[:500],
        owner_organisation=partner,
        kind=TaskKind.REFERRAL,
        detail=reason,
        source=f"directory:{service.oruk_id}"[:100],
    )
    referral = ServiceReferral.objects.create(
        task=task,
        service=service,
        consent=consent,
        consent_recorded_at=timezone.now(),
        plan_action=plan_action[:40],
        before=before,
    )
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="directory.referral.create",
        person_id=person.pk,
        object_type="service_referral",
        object_id=referral.pk,
        detail={"service": service.oruk_id, "consent": consent},
    )
    return referral


@transaction.atomic
def record_outcome(
    *, by: User, membership: Membership, referral: ServiceReferral, after: dict | None
) -> ServiceReferral:
    """The provider records the person's wellbeing at the end (ONS4)."""
    from joinedup.care.interface import may_work

    if not may_work(membership, referral.task):
        raise PermissionDenied("Only the organisation the referral is with can record this")
    if after is None:
        raise ValidationError(
            {f"after_{key}": f"Enter {words}, from 0 to 10" for key, words in ONS4_IN_WORDS.items()}
        )
    referral.after = after
    referral.after_recorded_at = timezone.now()
    referral.save(update_fields=["after", "after_recorded_at"])
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="directory.referral.outcome",
        person_id=referral.task.person_id,
        object_type="service_referral",
        object_id=referral.pk,
    )
    return referral


def outcomes(service: Service) -> dict:
    """Referrals to a service and the average change in wellbeing of those with both
    scores; the averages are withheld below SMALL_NUMBER people (they could identify)."""
    referrals = ServiceReferral.objects.filter(service=service).select_related("task")
    counts = {"referred": 0, "accepted": 0, "completed": 0}
    paired = []
    for r in referrals:
        counts["referred"] += 1
        counts["accepted"] += r.task.status in ("accepted", "in-progress", "completed")
        counts["completed"] += r.task.status == "completed"
        if r.before and r.after:
            paired.append(r)
    shown = {
        key: (f"{'fewer than ' + str(SMALL_NUMBER) if 0 < value < SMALL_NUMBER else value}")
        for key, value in counts.items()
    }
    if len(paired) < SMALL_NUMBER:
        return {**shown, "paired": len(paired), "changes": None}
    changes = {
        key: round(sum(r.after[key] - r.before[key] for r in paired) / len(paired), 1)
        for key, _ in ONS4
    }
    return {**shown, "paired": len(paired), "changes": changes}
