"""Holistic assessment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Membership, User
from joinedup.people.models import Person

from .. import assessment
from ..models import (
    Assessment,
    AssessmentStatus,
    CarePlan,
    CaseloadEntry,
    Questionnaire,
    Stage,
)
from ._common import StaleEdit
from .plans import current_content


def current_questionnaire(place=None) -> Questionnaire:
    """The stored current version of the holistic assessment questionnaire, as ``place``
    asks it (its settings may leave questions out and add domains: a version of its own);
    stored the first time it is needed. A changed definition in code needs a new
    ``assessment.VERSION``."""
    from joinedup.core.place_settings import effective

    domains, version = assessment.place_domains(effective(place)["assessment"])
    resource = assessment.questionnaire_resource(domains, version)
    stored, _ = Questionnaire.objects.get_or_create(
        url=resource["url"],
        version=resource["version"],
        defaults={"title": resource["title"], "resource": resource, "created_at": timezone.now()},
    )
    return stored


def _source_of(known: "assessment.Known") -> dict:
    return {"source": known.source, "date": known.date.isoformat(), "prefilled": True}


@transaction.atomic
def start_assessment(*, by: User, membership: Membership, person: Person) -> Assessment:
    """Start a holistic assessment, pre-filled with everything already known; if one is
    already in progress, that one is returned (a person has one at a time)."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    open_one = Assessment.objects.filter(person=person, status=AssessmentStatus.IN_PROGRESS).first()
    if open_one is not None:
        return open_one
    last = (
        Assessment.objects.filter(person=person, status=AssessmentStatus.COMPLETED)
        .select_related("organisation")
        .order_by("-completed_at")
        .first()
    )
    plan = CarePlan.objects.filter(person=person).first()
    known = assessment.known_answers(
        person,
        last=last,
        plan_content=current_content(plan) if plan else None,
        plan_date=plan.updated_at if plan else None,
    )
    now = timezone.now()
    started = Assessment.objects.create(
        person=person,
        questionnaire=current_questionnaire(person.practice_place),
        answers={link_id: k.value for link_id, k in known.items()},
        sources={link_id: _source_of(k) for link_id, k in known.items()},
        author=by,
        organisation=membership.organisation,
        started_at=now,
        updated_at=now,
    )
    record_audit(
        by=by,
        membership=membership,
        action="care.assessment.start",
        person_id=person.pk,
        object_type="assessment",
        object_id=started.pk,
        detail={"prefilled": len(known)},
    )
    return started


def _locked(item: Assessment, base_version: int) -> Assessment:
    item = Assessment.objects.select_for_update().get(pk=item.pk)
    if item.status != AssessmentStatus.IN_PROGRESS:
        raise ValidationError("This assessment is completed and can no longer be changed")
    if item.version != base_version:
        who = item.author.get_full_name() if item.author else "someone else"
        raise StaleEdit(
            f"{who} changed this assessment after you opened it. Your answers were not "
            "saved: here is the latest version."
        )
    return item


@transaction.atomic
def save_assessment_domain(
    *,
    by: User,
    membership: Membership,
    item: Assessment,
    base_version: int,
    domain: str,
    data,
) -> Assessment:
    """Record one domain gone through with the person. An answer left as pre-filled keeps
    its source; a changed or new answer is recorded as asked today, by whom."""
    item = _locked(item, base_version)
    domains = {d.link_id: d for d in assessment.domains_from_resource(item.questionnaire.resource)}
    spec = domains.get(domain)
    if spec is None:
        raise ValidationError("No such part of the assessment")
    errors, cleaned = {}, {}
    for q in spec.questions:
        try:
            cleaned[q.link_id] = assessment.clean_answer(q, data.get(q.link_id))
        except ValidationError as exc:
            errors[q.link_id] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    asked = {
        "source": f"Asked by {by.get_full_name() or by.username} ({membership.organisation.name})",
        "date": timezone.localdate().isoformat(),
        "prefilled": False,
    }
    changed = []
    for link_id, value in cleaned.items():
        if value == (item.answers.get(link_id) or ""):
            continue
        changed.append(link_id)
        if value:
            item.answers[link_id] = value
            item.sources[link_id] = asked
        else:
            item.answers.pop(link_id, None)
            item.sources.pop(link_id, None)
    if domain not in item.checked:
        item.checked.append(domain)
    item.version += 1
    item.updated_at = timezone.now()
    item.save(update_fields=["answers", "sources", "checked", "version", "updated_at"])
    record_audit(
        by=by,
        membership=membership,
        action="care.assessment.change",
        person_id=item.person_id,
        object_type="assessment",
        object_id=item.pk,
        detail={"domain": domain, "changed": changed},
    )
    return item


@transaction.atomic
def complete_assessment(
    *, by: User, membership: Membership, item: Assessment, base_version: int
) -> Assessment:
    """Finish the assessment (read-only from now on; the next one is pre-filled from it)
    and move the person on the caseload to 'assessed' if they had not got there yet."""
    item = _locked(item, base_version)
    item.status = AssessmentStatus.COMPLETED
    item.completed_at = timezone.now()
    item.version += 1
    item.save(update_fields=["status", "completed_at", "version"])
    entry = CaseloadEntry.objects.filter(
        person_id=item.person_id, stage__in=[Stage.IDENTIFIED, Stage.CONTACTED]
    ).first()
    if entry is not None:
        entry.stage = Stage.ASSESSED
        entry.stage_changed_at = item.completed_at
        entry.save(update_fields=["stage", "stage_changed_at"])
    record_audit(
        by=by,
        membership=membership,
        action="care.assessment.complete",
        person_id=item.person_id,
        object_type="assessment",
        object_id=item.pk,
        detail={"checked": item.checked, "moved_to_assessed": entry is not None},
    )
    return item
