"""MDT meetings."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import Membership, Organisation, User

from .. import permissions, plans, queries
from ..models import (
    AgendaItem,
    CarePlan,
    CaseloadEntry,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    Stage,
)
from ._common import StaleEdit
from .plans import save_action, save_goal, start_plan
from .tasks import create_task

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
    record_audit(
        by=by,
        membership=membership,
        action="care.mdt.schedule",
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
        record_audit(
            by=by,
            membership=membership,
            action="care.mdt.agenda",
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
    record_audit(
        by=by,
        membership=membership,
        action="care.mdt.invite",
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
    record_audit(
        by=by,
        membership=membership,
        action="care.mdt.discussion",
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
    record_audit(
        by=by,
        membership=membership,
        action="care.mdt.minutes",
        object_type="meeting",
        object_id=meeting.pk,
        detail={"held": held},
    )
    return meeting
