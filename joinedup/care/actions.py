"""Every write of care coordination: the caseload, care teams, the shared plan and its
versions, tasks and referrals. Each is atomic and audited."""

import uuid
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Membership, Organisation, Team, User
from joinedup.people.models import Person, RelationshipType

from . import assessment, permissions, plans, policies, queries
from .models import (
    AgendaItem,
    Assessment,
    AssessmentStatus,
    CarePlan,
    CareTeamMember,
    CaseloadEntry,
    ClosedReason,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    OfferStatus,
    PlanVersion,
    Questionnaire,
    Stage,
    Task,
    TaskKind,
    TaskStatus,
)

# The caseload cohort: adults the population run counts as multimorbid (3+ long-term
# conditions by default: ``multimorbidity_threshold`` in the population configuration).
MIN_AGE = 18


class StaleEdit(ValidationError):
    """Someone else changed the record after this edit began: nothing was overwritten."""


def _audit(by, membership: Membership | None, action: str, **kwargs):
    return record_audit(by=by, membership=membership, action=action, **kwargs)


# ---------------------------------------------------------------------------------------
# Caseload


@transaction.atomic
def build_caseload(*, by: User | None, membership: Membership | None = None) -> dict:
    """Put everyone the current population run finds in the cohort (adults with 3+ LTCs,
    alive) on the caseload, and refresh the priority of those already on it. People
    already on the caseload keep their stage; nobody is taken off by a rebuild.

    Returns counts: ``{"added": n, "refreshed": n, "cohort": n}``.
    """
    from joinedup.population.models import PersonProfile

    now = timezone.now()
    profiles = (
        PersonProfile.objects.filter(
            run__current=True,
            multimorbid=True,
            age__gte=MIN_AGE,
            person__date_of_death__isnull=True,
            person__merged_into__isnull=True,
        )
        .select_related("neighbourhood")
        .order_by("person_id")
    )
    existing = {e.person_id: e for e in CaseloadEntry.objects.all()}
    added, refreshed = [], []
    changes: dict[int, list[str]] = {}
    cohort = 0
    for p in profiles.iterator(chunk_size=5000):
        cohort += 1
        values = {
            "practice_id": p.practice_id,
            "neighbourhood_id": p.neighbourhood_id,
            "network_id": p.neighbourhood.network_id if p.neighbourhood else None,
            "ltc_count": p.ltc_count,
            "cms": p.cms,
            "efi": p.efi,
            "efi_band": p.efi_band,
            "imd_quintile": p.imd_quintile,
            "admissions_12m": p.admissions_12m,
            "ae_attendances_12m": p.ae_attendances_12m,
            "priority": policies.priority(
                cms=p.cms,
                efi_band=p.efi_band,
                imd_quintile=p.imd_quintile,
                admissions_12m=p.admissions_12m,
                ae_attendances_12m=p.ae_attendances_12m,
            ),
            "refreshed_at": now,
        }
        entry = existing.get(p.person_id)
        if entry is None:
            added.append(
                CaseloadEntry(
                    person_id=p.person_id, identified_at=now, stage_changed_at=now, **values
                )
            )
        else:
            found = policies.review_reasons(entry, p)
            if found:
                changes[p.person_id] = found
            for key, value in values.items():
                setattr(entry, key, value)
            refreshed.append(entry)
    CaseloadEntry.objects.bulk_create(added, batch_size=2000)
    CaseloadEntry.objects.bulk_update(
        refreshed,
        [
            "practice_id",
            "neighbourhood_id",
            "network_id",
            "ltc_count",
            "cms",
            "efi",
            "efi_band",
            "imd_quintile",
            "admissions_12m",
            "ae_attendances_12m",
            "priority",
            "refreshed_at",
        ],
        batch_size=1000,
    )
    counts = {"added": len(added), "refreshed": len(refreshed), "cohort": cohort}
    counts["reviews"] = raise_reviews(changes, source="population run")
    _audit(by, membership, "care.caseload.build", object_type="caseload", detail=counts)
    return counts


@transaction.atomic
def move_stage(
    *,
    by: User,
    membership: Membership,
    entry: CaseloadEntry,
    stage: str,
    closed_reason: str = "",
) -> CaseloadEntry:
    """Move a person along identified → contacted → assessed → plan agreed → under
    review → closed (closing needs a reason)."""
    _may_manage(membership, entry.person_id)
    entry = CaseloadEntry.objects.select_for_update().get(pk=entry.pk)
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose a stage"})
    if stage not in policies.STAGE_MOVES[Stage(entry.stage)]:
        raise ValidationError(
            {
                "stage": f"A person who is {Stage(entry.stage).label.lower()} cannot move to "
                f"{Stage(stage).label.lower()}"
            }
        )
    if stage == Stage.CLOSED and closed_reason not in ClosedReason.values:
        raise ValidationError({"closed_reason": "Choose why the person is leaving the caseload"})
    before = entry.stage
    entry.stage = stage
    entry.closed_reason = closed_reason if stage == Stage.CLOSED else ""
    entry.stage_changed_at = timezone.now()
    entry.save(update_fields=["stage", "closed_reason", "stage_changed_at"])
    _audit(
        by,
        membership,
        "care.caseload.stage",
        person_id=entry.person_id,
        object_type="caseload_entry",
        object_id=entry.pk,
        detail={"from": before, "to": stage, "reason": entry.closed_reason},
    )
    return entry


@transaction.atomic
def set_offer(
    *, by: User, membership: Membership, entry: CaseloadEntry, offer_status: str
) -> CaseloadEntry:
    """Record the personalised care and support plan offer."""
    _may_manage(membership, entry.person_id)
    if offer_status not in OfferStatus.values:
        raise ValidationError({"offer_status": "Choose the offer status"})
    entry.offer_status = offer_status
    entry.save(update_fields=["offer_status"])
    _audit(
        by,
        membership,
        "care.caseload.offer",
        person_id=entry.person_id,
        object_type="caseload_entry",
        object_id=entry.pk,
        detail={"offer_status": offer_status},
    )
    return entry


@transaction.atomic
def flag_for_mdt(
    *, by: User, membership: Membership, entry: CaseloadEntry, flagged: bool
) -> CaseloadEntry:
    _may_manage(membership, entry.person_id)
    entry.flagged_for_mdt = flagged
    entry.save(update_fields=["flagged_for_mdt"])
    _audit(
        by,
        membership,
        "care.caseload.mdt_flag",
        person_id=entry.person_id,
        object_type="caseload_entry",
        object_id=entry.pk,
        detail={"flagged": flagged},
    )
    return entry


def _may_manage(membership: Membership, person_id: int) -> None:
    if not permissions.may_manage_care(membership, person_id):
        raise PermissionDenied(
            "Only those who run the person's care (or their lead or key worker) can do that"
        )


# ---------------------------------------------------------------------------------------
# Care team


@transaction.atomic
def add_team_member(
    *,
    by: User,
    membership: Membership,
    person: Person,
    organisation: Organisation,
    role: str,
    user: User | None = None,
    team: Team | None = None,
    is_lead: bool = False,
    is_key_worker: bool = False,
) -> CareTeamMember:
    """Bring a professional (or a whole organisation or team) into the person's care team.
    Joining gives them access to the person's record."""
    _may_manage(membership, person.pk)
    role = (role or "").strip()
    if not role:
        raise ValidationError({"role": "Enter their role in the care team"})
    if len(role) > 100:
        raise ValidationError({"role": "Role must be 100 characters or fewer"})
    if not permissions.in_partnership(membership.organisation, organisation):
        raise ValidationError(
            {"organisation": f"{organisation.name} is not part of this partnership"}
        )
    if (
        user is not None
        and not user.memberships.filter(organisation=organisation, active=True).exists()
    ):
        raise ValidationError({"user": f"{user.get_full_name()} does not work for {organisation}"})
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"team": f"{team.name} is not a team of {organisation}"})
    current = CareTeamMember.objects.filter(person=person, left_at__isnull=True)
    if current.filter(organisation=organisation, user=user, team=team).exists():
        raise ValidationError({"user": "They are already in the care team"})
    if is_lead:
        current.update(is_lead=False)
    if is_key_worker:
        current.update(is_key_worker=False)
    member = CareTeamMember.objects.create(
        person=person,
        organisation=organisation,
        user=user,
        team=team,
        role=role,
        is_lead=is_lead,
        is_key_worker=is_key_worker,
        joined_at=timezone.now(),
    )
    _audit(
        by,
        membership,
        "care.team.join",
        person_id=person.pk,
        object_type="care_team_member",
        object_id=member.pk,
        detail={"organisation": organisation.pk, "user": user.pk if user else None},
    )
    return member


@transaction.atomic
def remove_team_member(
    *, by: User, membership: Membership, member: CareTeamMember, reason: str = ""
) -> CareTeamMember:
    """They leave the care team; the access it gave them ends now."""
    if not permissions.may_remove_member(membership, member):
        raise PermissionDenied("Only those who run the person's care can remove others")
    if member.left_at:
        raise ValidationError("They have already left the care team")
    member.left_at = timezone.now()
    member.is_lead = member.is_key_worker = False
    member.save(update_fields=["left_at", "is_lead", "is_key_worker"])
    _audit(
        by,
        membership,
        "care.team.leave",
        person_id=member.person_id,
        object_type="care_team_member",
        object_id=member.pk,
        reason=reason[:500],
    )
    return member


# ---------------------------------------------------------------------------------------
# The shared plan


def _prefilled(person: Person) -> dict:
    """A first plan, told once: what is already known about the person."""
    content = plans.empty_content()
    content["about_me"]["please_call_me"] = person.given_name
    content["about_me"]["communication_needs"] = ", ".join(person.communication_need_labels())
    content["preferences"]["language"] = person.preferred_language
    content["preferences"]["interpreter"] = "yes" if person.interpreter_needed else "no"
    last = (
        Assessment.objects.filter(person=person, status=AssessmentStatus.COMPLETED)
        .order_by("-completed_at")
        .first()
    )
    if last is not None:
        content["about_me"]["what_matters"] = last.answers.get("what_matters.text", "")
    labels = dict(RelationshipType.choices)
    for r in person.relationships.filter(ended_at__isnull=True).select_related("related_person"):
        content["important_people"].append(
            {
                "id": uuid.uuid4().hex[:12],
                "name": r.related_person.full_name if r.related_person_id else r.contact_name,
                "relationship": r.relationship_description,
                "role": labels.get(r.type, r.type),
                "phone": r.contact_phone or (r.related_person.phone if r.related_person else ""),
            }
        )
    return content


@transaction.atomic
def start_plan(
    *, by: User, membership: Membership, person: Person, summary: str = "Plan started"
) -> CarePlan:
    """Open the person's one shared plan (version 1, pre-filled from what is known)."""
    plan, created = CarePlan.objects.get_or_create(
        person=person,
        defaults={"created_at": timezone.now(), "updated_at": timezone.now()},
    )
    if not created:
        raise ValidationError("This person already has a plan")
    return _new_version(
        by=by,
        membership=membership,
        plan=plan,
        base_version=0,
        content=_prefilled(person),
        summary=summary,
    )


def _new_version(
    *,
    by: User | None,
    membership: Membership | None,
    plan: CarePlan,
    base_version: int,
    content: dict,
    summary: str,
    by_person: bool = False,
) -> CarePlan:
    if not by_person:
        permissions.require_plan_change(membership, plan.person_id)
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.version != base_version:
        latest = plan.versions.select_related("author").first()
        who = latest.author.get_full_name() if latest and latest.author else "someone else"
        raise StaleEdit(
            f"{who} changed this plan (version {plan.version}) after you opened version "
            f"{base_version}. Your change was not saved: here is the latest version."
        )
    now = timezone.now()
    plan.version += 1
    plan.updated_at = now
    review = (content.get("review") or {}).get("date")
    plan.review_date = date.fromisoformat(review) if review else None
    plan.save(update_fields=["version", "updated_at", "review_date"])
    PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        content=content,
        summary=summary[:300],
        author=by,
        organisation=membership.organisation if membership else None,
        by_person=by_person,
        created_at=now,
    )
    _audit(
        by,
        membership,
        "care.plan.change",
        person_id=plan.person_id,
        object_type="care_plan",
        object_id=plan.pk,
        detail={"version": plan.version, "summary": summary[:300]},
    )
    return plan


def current_content(plan: CarePlan) -> dict:
    version = plan.versions.first()
    return dict(version.content) if version else plans.empty_content()


@transaction.atomic
def save_section(
    *,
    by: User,
    membership: Membership,
    plan: CarePlan,
    base_version: int,
    section: str,
    data,
    today: date | None = None,
) -> CarePlan:
    """Change one section of the plan (a new version)."""
    values = plans.clean_section(section, data, today=today or timezone.localdate())
    content = current_content(plan)
    content[section] = {**(content.get(section) or {}), **values}
    title = plans.SECTION_BY_KEY[section].title
    return _new_version(
        by=by,
        membership=membership,
        plan=plan,
        base_version=base_version,
        content=content,
        summary=f"{title} changed",
    )


def _save_item(*, by, membership, plan, base_version, kind: str, item: dict, item_id: str):
    """Add a goal or action (``kind`` "goals" or "actions"), or change the one with
    ``item_id``; either way a new version."""
    content = current_content(plan)
    items = list(content.get(kind) or [])
    noun = kind[:-1].capitalize()
    if item_id:
        index = next((i for i, x in enumerate(items) if x.get("id") == item_id), None)
        if index is None:
            raise ValidationError(f"That {noun.lower()} is not in this plan")
        items[index] = {**items[index], **item}
        summary = f"{noun} updated"
    else:
        items.append({"id": uuid.uuid4().hex[:12], **item})
        summary = f"{noun} added"
    content[kind] = items
    return _new_version(
        by=by,
        membership=membership,
        plan=plan,
        base_version=base_version,
        content=content,
        summary=summary,
    )


@transaction.atomic
def save_goal(
    *,
    by: User,
    membership: Membership,
    plan: CarePlan,
    base_version: int,
    data,
    goal_id: str = "",
) -> CarePlan:
    """Add a goal in the person's own words, or record progress on one."""
    return _save_item(
        by=by,
        membership=membership,
        plan=plan,
        base_version=base_version,
        kind="goals",
        item=plans.clean_goal(data),
        item_id=goal_id,
    )


@transaction.atomic
def save_action(
    *,
    by: User,
    membership: Membership,
    plan: CarePlan,
    base_version: int,
    data,
    action_id: str = "",
    today: date | None = None,
) -> CarePlan:
    """Add an action (what, who, by when, status) or update one."""
    return _save_item(
        by=by,
        membership=membership,
        plan=plan,
        base_version=base_version,
        kind="actions",
        item=plans.clean_action(
            data,
            today=today or timezone.localdate(),
            kept_by_when=next(
                (
                    a.get("by_when", "")
                    for a in current_content(plan).get("actions") or []
                    if action_id and a.get("id") == action_id
                ),
                "",
            ),
        ),
        item_id=action_id,
    )


# ---------------------------------------------------------------------------------------
# Tasks and referrals


@transaction.atomic
def create_task(
    *,
    by: User,
    membership: Membership,
    person: Person,
    description: str,
    owner_organisation: Organisation,
    kind: str = TaskKind.TASK,
    detail: str = "",
    owner_team: Team | None = None,
    owner_user: User | None = None,
    due: date | None = None,
    source: str = "",
    today: date | None = None,
) -> Task:
    """Ask an organisation (or one of its teams or people) to do something for a person."""
    today = today or timezone.localdate()
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Say what needs doing"})
    if len(description) > 500:
        raise ValidationError({"description": "Keep the description to 500 characters"})
    if len(detail or "") > plans.MAX_TEXT:
        raise ValidationError({"detail": f"Detail must be {plans.MAX_TEXT:,} characters or fewer"})
    if kind not in TaskKind.values:
        raise ValidationError({"kind": "Choose task or referral"})
    if not permissions.in_partnership(membership.organisation, owner_organisation):
        raise ValidationError(
            {"owner_organisation": f"{owner_organisation.name} is not part of this partnership"}
        )
    if owner_team is not None and owner_team.organisation_id != owner_organisation.pk:
        raise ValidationError({"owner_team": f"{owner_team.name} is not a team of that agency"})
    if (
        owner_user is not None
        and not owner_user.memberships.filter(organisation=owner_organisation, active=True).exists()
    ):
        raise ValidationError({"owner_user": "They do not work for that organisation"})
    if due is not None and due < today:
        raise ValidationError({"due": "The due date cannot be in the past"})
    now = timezone.now()
    task = Task.objects.create(
        person=person,
        kind=kind,
        description=description,
        detail=(detail or "").strip(),
        requester=by,
        requester_organisation=membership.organisation,
        owner_organisation=owner_organisation,
        owner_team=owner_team,
        owner_user=owner_user,
        due=due,
        created_at=now,
        updated_at=now,
        source=source[:100],
    )
    _audit(
        by,
        membership,
        f"care.{kind}.create",
        person_id=person.pk,
        object_type="task",
        object_id=task.pk,
        detail={"owner_organisation": owner_organisation.pk},
    )
    return task


@transaction.atomic
def move_task(
    *,
    by: User,
    membership: Membership,
    task: Task,
    status: str,
    base_version: int,
    reason: str = "",
    outcome: str = "",
) -> Task:
    """Move a task along its FHIR lifecycle. The owner's side accepts, rejects (with a
    reason), starts and completes (with an outcome the requester sees); the requester's
    side cancels."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.version != base_version:
        raise StaleEdit("Someone else updated this task after you opened it. Nothing was saved.")
    if status not in TaskStatus.values:
        raise ValidationError({"status": "Choose a status"})
    if status not in policies.TASK_MOVES[TaskStatus(task.status)]:
        raise ValidationError(
            {
                "status": f"A {task.get_status_display().lower()} {task.get_kind_display().lower()}"
                f" cannot become {TaskStatus(status).label.lower()}"
            }
        )
    if not permissions.may_move_task(membership, task, status):
        raise PermissionDenied(
            "Only the organisation that asked can cancel it"
            if status == TaskStatus.CANCELLED
            else "Only the organisation it is assigned to can do that"
        )
    if status in (TaskStatus.REJECTED, TaskStatus.CANCELLED) and not reason.strip():
        raise ValidationError({"reason": "Give the reason"})
    if status == TaskStatus.COMPLETED and not outcome.strip():
        raise ValidationError({"outcome": "Say what happened (the requester sees this)"})
    if len(reason) > 500 or len(outcome) > plans.MAX_TEXT:
        raise ValidationError({"outcome": "That is too long"})
    before = task.status
    task.status = status
    task.status_reason = reason.strip() or task.status_reason
    task.outcome = outcome.strip() or task.outcome
    if status == TaskStatus.ACCEPTED and task.owner_user_id is None and task.owner_team_id is None:
        task.owner_user = by  # whoever accepts it for the organisation works it
    task.updated_at = timezone.now()
    task.version += 1
    task.save()
    _audit(
        by,
        membership,
        f"care.{task.kind}.{status}",
        person_id=task.person_id,
        object_type="task",
        object_id=task.pk,
        detail={"from": before, "to": status},
    )
    return task


# ---------------------------------------------------------------------------------------
# Holistic assessment


def current_questionnaire() -> Questionnaire:
    """The stored current version of the holistic assessment questionnaire (stored the
    first time it is needed; a changed definition needs a new ``assessment.VERSION``)."""
    resource = assessment.questionnaire_resource()
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
        questionnaire=current_questionnaire(),
        answers={link_id: k.value for link_id, k in known.items()},
        sources={link_id: _source_of(k) for link_id, k in known.items()},
        author=by,
        organisation=membership.organisation,
        started_at=now,
        updated_at=now,
    )
    _audit(
        by,
        membership,
        "care.assessment.start",
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
    _audit(
        by,
        membership,
        "care.assessment.change",
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
    _audit(
        by,
        membership,
        "care.assessment.complete",
        person_id=item.person_id,
        object_type="assessment",
        object_id=item.pk,
        detail={"checked": item.checked, "moved_to_assessed": entry is not None},
    )
    return item


# ---------------------------------------------------------------------------------------
# MDT meetings

MEETING_WINDOW_DAYS = 30  # attendees keep the agenda's records this long after the meeting


def _meeting_area(membership: Membership, area: str):
    """``"hood:12"`` or ``"lcn:3"`` → the neighbourhood or network, if the membership's
    organisation serves it."""
    from joinedup.core.models import LocalCareNetwork, Neighbourhood

    kind, _, pk = (area or "").partition(":")
    places = membership.organisation.places.values("pk")
    if kind == "hood" and pk.isdecimal():
        found = Neighbourhood.objects.filter(pk=int(pk), network__place__in=places).first()
        return (found, None) if found else (None, None)
    if kind == "lcn" and pk.isdecimal():
        found = LocalCareNetwork.objects.filter(pk=int(pk), place__in=places).first()
        return (None, found) if found else (None, None)
    return None, None


@transaction.atomic
def schedule_meeting(
    *,
    by: User,
    membership: Membership,
    title: str,
    area: str,
    starts_at,
    location: str = "",
    now=None,
) -> Meeting:
    """Schedule an MDT meeting for a neighbourhood or local care network the organiser's
    organisation serves; the organiser attends, and the agenda is built from the caseload.
    (``now`` is for recording a meeting in the demo's past.)"""
    errors = {}
    now = now or timezone.now()
    title = (title or "").strip()
    if not title:
        errors["title"] = "Give the meeting a title"
    elif len(title) > 200:
        errors["title"] = "Keep the title to 200 characters"
    neighbourhood, network = _meeting_area(membership, area)
    if neighbourhood is None and network is None:
        errors["area"] = "Choose a neighbourhood or network your organisation serves"
    if starts_at is None:
        errors["starts_at"] = "Enter the date and time of the meeting"
    elif starts_at < now:
        errors["starts_at"] = "The meeting cannot be in the past"
    if len(location or "") > 200:
        errors["location"] = "Keep the place to 200 characters"
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        title=title,
        neighbourhood=neighbourhood,
        network=network or (neighbourhood.network if neighbourhood else None),
        starts_at=starts_at,
        location=(location or "").strip(),
        organiser=by,
        organiser_organisation=membership.organisation,
        created_at=now,
    )
    MeetingAttendee.objects.create(
        meeting=meeting,
        user=by,
        organisation=membership.organisation,
        role=membership.get_role_display(),
    )
    _audit(
        by,
        membership,
        "care.mdt.schedule",
        object_type="meeting",
        object_id=meeting.pk,
        detail={"area": area},
    )
    refresh_agenda(by=by, membership=membership, meeting=meeting)
    return meeting


@transaction.atomic
def refresh_agenda(*, by: User, membership: Membership, meeting: Meeting) -> int:
    """Add everyone flagged for MDT discussion on the caseload of the meeting's area (that
    the organiser may open) and not yet on the agenda. Returns how many were added."""
    from joinedup.people.access import accessible_person_ids

    entries = CaseloadEntry.objects.filter(
        flagged_for_mdt=True, person_id__in=accessible_person_ids(membership)
    ).exclude(stage=Stage.CLOSED)
    if meeting.neighbourhood_id:
        entries = entries.filter(neighbourhood_id=meeting.neighbourhood_id)
    else:
        entries = entries.filter(network_id=meeting.network_id)
    present = set(meeting.items.values_list("person_id", flat=True))
    position = meeting.items.count()
    added = []
    for entry in entries.order_by("-priority", "person_id"):
        if entry.person_id in present:
            continue
        position += 1
        added.append(
            AgendaItem(
                meeting=meeting,
                person_id=entry.person_id,
                position=position,
                reason=(
                    f"{Stage(entry.stage).label}; {entry.ltc_count} long-term conditions, "
                    f"frailty {entry.efi_band or 'not known'}, priority {entry.priority:.1f}"
                ),
            )
        )
    AgendaItem.objects.bulk_create(added)
    if added:
        _audit(
            by,
            membership,
            "care.mdt.agenda",
            object_type="meeting",
            object_id=meeting.pk,
            detail={"added": len(added)},
        )
    return len(added)


@transaction.atomic
def add_attendee(
    *, by: User, membership: Membership, meeting: Meeting, user: User | None, role: str = ""
) -> MeetingAttendee:
    """Invite someone from any organisation of the partnership (by an attendee)."""
    if not permissions.is_attendee(membership, meeting):
        raise PermissionDenied("Only those at the meeting can invite others")
    if user is None:
        raise ValidationError({"user": "Choose who to invite"})
    their = (
        user.memberships.filter(active=True)
        .select_related("organisation")
        .filter(organisation__in=queries.partnership_organisations(membership.organisation))
        .first()
    )
    if their is None:
        raise ValidationError({"user": f"{user} does not work in this partnership"})
    if meeting.attendees.filter(user=user).exists():
        raise ValidationError({"user": f"{user} is already invited"})
    attendee = MeetingAttendee.objects.create(
        meeting=meeting,
        user=user,
        organisation=their.organisation,
        role=(role or their.get_role_display())[:100],
    )
    _audit(
        by,
        membership,
        "care.mdt.invite",
        object_type="meeting",
        object_id=meeting.pk,
        detail={"user": user.pk},
    )
    return attendee


@transaction.atomic
def record_discussion(
    *,
    by: User,
    membership: Membership,
    item: AgendaItem,
    summary: str,
    decisions: str = "",
    goal: str = "",
    task: str = "",
    task_owner: Organisation | None = None,
    task_owner_user: User | None = None,
    task_due: date | None = None,
) -> AgendaItem:
    """What the meeting said about one person and what it decided. A goal is added to
    their plan; a task goes to its owner's inbox and becomes an action in the plan."""
    meeting = item.meeting
    if not permissions.is_attendee(membership, meeting):
        raise PermissionDenied("Only those at the meeting can record its discussion")
    errors = {}
    summary, decisions = (summary or "").strip(), (decisions or "").strip()
    goal, task = (goal or "").strip(), (task or "").strip()
    if not summary:
        errors["summary"] = "Summarise the discussion"
    for name, text in (("summary", summary), ("decisions", decisions), ("goal", goal)):
        if len(text) > plans.MAX_TEXT:
            errors[name] = f"Keep this to {plans.MAX_TEXT:,} characters"
    if task and task_owner is None:
        errors["task_owner"] = "Choose who will do it"
    if (goal or task) and not permissions.may_change_plan(membership, item.person_id):
        errors["goal" if goal else "task"] = (
            "Goals and tasks go into the person's plan, which only their care team and those "
            "who run their care can change: ask one of them at the meeting to record this"
        )
    if errors:
        raise ValidationError(errors)
    outcomes = list(item.outcomes)
    where = f"MDT {meeting.starts_at:%-d %b %Y}"
    plan = CarePlan.objects.filter(person_id=item.person_id).first()
    if (goal or task) and plan is None:
        # The usual case at an MDT: the person has no plan yet, so its decisions start one
        # (to be agreed with the person, as any plan is).
        plan = start_plan(
            by=by, membership=membership, person=item.person, summary=f"Plan started at the {where}"
        )
    if goal:
        plan = save_goal(
            by=by,
            membership=membership,
            plan=plan,
            base_version=plan.version,
            data={"text": goal, "progress": "not_started", "note": f"Agreed at the {where}"},
        )
        outcomes.append({"kind": "goal", "text": goal})
    if task:
        created = create_task(
            by=by,
            membership=membership,
            person=item.person,
            description=task,
            owner_organisation=task_owner,
            owner_user=task_owner_user,
            due=task_due,
            source=where,
        )
        save_action(
            by=by,
            membership=membership,
            plan=plan,
            base_version=plan.version,
            data={
                "what": task,
                "who_type": "organisation",
                "who": task_owner.name,
                "by_when-day": task_due.day if task_due else "",
                "by_when-month": task_due.month if task_due else "",
                "by_when-year": task_due.year if task_due else "",
                "status": "to_do",
            },
        )
        outcomes.append({"kind": "task", "id": created.pk, "text": task})
    item.summary, item.decisions, item.outcomes = summary, decisions, outcomes
    item.discussed_at = timezone.now()
    item.save(update_fields=["summary", "decisions", "outcomes", "discussed_at"])
    CaseloadEntry.objects.filter(person_id=item.person_id).update(flagged_for_mdt=False)
    _audit(
        by,
        membership,
        "care.mdt.discussion",
        person_id=item.person_id,
        object_type="meeting",
        object_id=meeting.pk,
        detail={"outcomes": len(outcomes)},
    )
    return item


@transaction.atomic
def record_minutes(
    *,
    by: User,
    membership: Membership,
    meeting: Meeting,
    base_version: int,
    minutes: str,
    held: bool,
) -> Meeting:
    """Save the meeting's minutes (and mark it held). Stale edits are refused."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not permissions.is_attendee(membership, meeting):
        raise PermissionDenied("Only those at the meeting can write its minutes")
    if meeting.version != base_version:
        raise StaleEdit("Someone else changed the minutes after you opened them: nothing saved")
    minutes = (minutes or "").strip()
    if len(minutes) > 20000:
        raise ValidationError({"minutes": "Keep the minutes to 20,000 characters"})
    if held and meeting.starts_at > timezone.now():
        raise ValidationError(
            {"held": "This meeting has not started yet: it can be marked held once it has"}
        )
    meeting.minutes = minutes
    if held:
        meeting.status = MeetingStatus.HELD
    meeting.version += 1
    meeting.save(update_fields=["minutes", "status", "version"])
    _audit(
        by,
        membership,
        "care.mdt.minutes",
        object_type="meeting",
        object_id=meeting.pk,
        detail={"held": held},
    )
    return meeting


# ---------------------------------------------------------------------------------------
# Continual review


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


# ---------------------------------------------------------------------------------------
# The person's own changes (from the resident portal)

PERSON_SECTIONS = ("about_me", "preferences")


@transaction.atomic
def person_changes_plan(
    *,
    person: Person,
    plan: CarePlan,
    base_version: int,
    change: str,
    data,
    item_id: str = "",
    today: date | None = None,
) -> CarePlan:
    """The person changes their own plan: a section they own ("about_me",
    "preferences") or the progress of one of their goals (``change="goal"``). A new
    version marked as theirs; their care team is told, to look at the change."""
    if plan.person_id != person.pk:
        raise PermissionDenied("Not your plan")
    content = current_content(plan)
    if change in PERSON_SECTIONS:
        values = plans.clean_section(change, data, today=today or timezone.localdate())
        content[change] = {**(content.get(change) or {}), **values}
        what = plans.SECTION_BY_KEY[change].title
    elif change == "goal":
        goals = list(content.get("goals") or [])
        index = next((i for i, g in enumerate(goals) if g.get("id") == item_id), None)
        if index is None:
            raise ValidationError("That goal is not in your plan")
        cleaned = plans.clean_goal({**goals[index], **dict(data.items())})
        goals[index] = {**goals[index], "progress": cleaned["progress"], "note": cleaned["note"]}
        content["goals"] = goals
        what = f"progress on “{goals[index]['text']}”"
    else:
        raise ValidationError("That part of the plan is for your care team to change")
    plan = _new_version(
        by=None,
        membership=None,
        plan=plan,
        base_version=base_version,
        content=content,
        summary=f"{person.given_name} changed {what[0].lower()}{what[1:]}",
        by_person=True,
    )
    tell_care_team_of_change(person=person, what=what)
    return plan


PLAN_CHANGES_SOURCE = "person changed plan"


@transaction.atomic
def tell_care_team_of_change(*, person: Person, what: str) -> Task | None:
    """Tell the person's key worker (or lead, or practice) that the person changed their
    plan. Changes made one after another make one inbox item, not one each: the open
    "updated their plan" item lists every change until someone in the team picks it up
    (accepts it) or marks it done; the next change after that starts a new one."""
    owner = _review_owner(person.pk)
    if owner is None:
        return None  # no one to tell yet: the change stands, in the plan's versions
    organisation, user = owner
    now = timezone.now()
    line = f"{timezone.localtime(now):%-d %B %Y at %H:%M}: changed {what}"
    task = (
        Task.objects.select_for_update()
        .filter(
            person=person,
            kind=TaskKind.MESSAGE,
            source=PLAN_CHANGES_SOURCE,
            status=TaskStatus.REQUESTED,
        )
        .order_by("-created_at")
        .first()
    )
    if task is None:
        task = Task.objects.create(
            person=person,
            kind=TaskKind.MESSAGE,
            description=f"{person.full_name} updated their plan"[:500],
            detail=line,
            requester=None,
            requester_organisation=organisation,
            owner_organisation=organisation,
            owner_user=user,
            created_at=now,
            updated_at=now,
            source=PLAN_CHANGES_SOURCE,
        )
    else:
        changes = task.detail.count("\n") + 2
        task.detail = f"{task.detail}\n{line}"[-plans.MAX_TEXT :]
        task.description = f"{person.full_name} updated their plan ({changes} changes)"[:500]
        task.updated_at, task.version = now, task.version + 1
        task.save(update_fields=["detail", "description", "updated_at", "version"])
    record_audit(
        by=None,
        organisation=None,
        action="care.message.from_person",
        person_id=person.pk,
        object_type="task",
        object_id=task.pk,
        detail={"change": what[:200]},
    )
    return task
