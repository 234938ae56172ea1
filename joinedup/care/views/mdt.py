"""MDT meetings: scheduling, the meeting (attendees, agenda, minutes) and an agenda item."""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.forms import date_field, error_messages
from joinedup.core.models import Organisation, User
from joinedup.people import access
from joinedup.people.actions import record_person_view

from .. import actions, permissions, queries
from ..models import AgendaItem, CarePlan, CaseloadEntry, Meeting
from ..policies import OPEN_TASK
from ._common import _areas, _int, _membership, _partnership_staff


def _starts_at(data):
    """The meeting's date (NHS.UK date input) and time ("14:30") → an aware datetime."""
    day = date_field(data, "starts_at", "Date")
    if day is None:
        return None
    hours, _, minutes = (data.get("starts_at-time") or "").strip().partition(":")
    if not (hours.isdecimal() and minutes.isdecimal() and int(hours) < 24 and int(minutes) < 60):
        raise ValidationError({"starts_at-time": "Enter the time like 14:30"})
    return timezone.make_aware(datetime.combine(day, time(int(hours), int(minutes))))


@login_required
def meetings(request):
    membership = _membership(request)
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        values = request.POST
        try:
            meeting = actions.schedule_meeting(
                by=request.user,
                membership=membership,
                title=values.get("title", ""),
                area=values.get("area", ""),
                starts_at=_starts_at(values),
                location=values.get("location", ""),
            )
            return redirect("care:meeting", meeting_id=meeting.pk)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    now = timezone.now()
    mine = queries.meetings_for(membership)
    return render(
        request,
        "care/meetings.jinja",
        {
            "upcoming": mine.filter(starts_at__gte=now).order_by("starts_at")[:50],
            "past": mine.filter(starts_at__lt=now).order_by("-starts_at")[:50],
            "areas": _areas(membership),
            "errors": errors,
            "values": values,
        },
        status=status,
    )


def _meeting_for(request, meeting_id: int):
    membership = _membership(request)
    meeting = get_object_or_404(
        Meeting.objects.select_related("neighbourhood", "network", "organiser_organisation"),
        pk=meeting_id,
    )
    if not permissions.may_see_meeting(membership, meeting):
        raise PermissionDenied("You are not at this meeting")
    return membership, meeting


@login_required
def meeting(request, meeting_id: int):
    membership, meeting = _meeting_for(request, meeting_id)
    errors, status = {}, 200
    if request.method == "POST":
        form = request.POST.get("form", "")
        try:
            if form == "invite":
                actions.add_attendee(
                    by=request.user,
                    membership=membership,
                    meeting=meeting,
                    user=User.objects.filter(pk=_int(request.POST.get("user"))).first(),
                )
            elif form == "refresh":
                if not permissions.is_attendee(membership, meeting):
                    raise PermissionDenied("Only those at the meeting can change its agenda")
                added = actions.refresh_agenda(
                    by=request.user, membership=membership, meeting=meeting
                )
                messages.success(
                    request,
                    f"{added} {'person' if added == 1 else 'people'} added to the agenda."
                    if added
                    else f"No one new to add: no one else in {meeting.area_name} is flagged "
                    "for MDT discussion.",
                )
            elif form == "minutes":
                held = request.POST.get("held") == "yes"
                actions.record_minutes(
                    by=request.user,
                    membership=membership,
                    meeting=meeting,
                    base_version=_int(request.POST.get("base_version")) or 0,
                    minutes=request.POST.get("minutes", ""),
                    held=held,
                )
                messages.success(
                    request,
                    "Minutes saved and the meeting marked as held. Check that each person's "
                    "decisions reached their owners' inboxes."
                    if held
                    else "Minutes saved. Attendees can read them on this page.",
                )
            else:
                raise ValidationError({"form": "Nothing to change"})
            return redirect("care:meeting", meeting_id=meeting.pk)
        except actions.StaleEdit as exc:
            errors, status = {"minutes": exc.messages[0]}, 409
            meeting.refresh_from_db()
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    record_audit(
        by=request.user,
        organisation=membership.organisation,
        action="care.mdt.view",
        object_type="meeting",
        object_id=meeting.pk,
    )
    items = list(meeting.items.select_related("person"))
    for item in items:
        item.may_open = access.access_basis(membership, item.person_id) is not None
    return render(
        request,
        "care/meeting.jinja",
        {
            "meeting": meeting,
            "attendees": meeting.attendees.select_related("user", "organisation"),
            "items": items,
            "is_attendee": permissions.is_attendee(membership, meeting),
            "staff": _partnership_staff(membership),
            "errors": errors,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
def agenda_item(request, meeting_id: int, item_id: int):
    """Record what the meeting said about one person and what it decided."""
    membership, meeting = _meeting_for(request, meeting_id)
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    person, basis = access.get_person_for(membership, item.person_id)
    record_person_view(
        by=request.user, membership=membership, person=person, basis=basis, page="mdt"
    )
    errors, status, values = {}, 200, {"summary": item.summary, "decisions": item.decisions}
    if request.method == "POST":
        values = request.POST
        try:
            due = date_field(values, "task_due", "Due date")
            task_owner = Organisation.objects.filter(pk=_int(values.get("task_owner"))).first()
            actions.record_discussion(
                by=request.user,
                membership=membership,
                item=item,
                summary=values.get("summary", ""),
                decisions=values.get("decisions", ""),
                goal=values.get("goal", ""),
                task=values.get("task", ""),
                task_owner=task_owner,
                task_owner_user=User.objects.filter(pk=_int(values.get("task_owner_user"))).first(),
                task_due=due,
            )
            said = [f"Discussion of {person.full_name} saved."]
            if values.get("goal", "").strip():
                said.append("Goal added to their plan.")
            if values.get("task", "").strip():
                said.append(f"Task sent to the inbox of {task_owner.name}.")
            messages.success(request, " ".join(said))
            return redirect("care:meeting", meeting_id=meeting.pk)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "care/agenda_item.jinja",
        {
            "meeting": meeting,
            "item": item,
            "person": person,
            "entry": CaseloadEntry.objects.filter(person=person).first(),
            "plan": CarePlan.objects.filter(person=person).first(),
            "tasks": queries.tasks_for(person).filter(status__in=OPEN_TASK),
            "organisations": queries.partnership_organisations(membership.organisation).order_by(
                "name"
            ),
            "staff": _partnership_staff(membership),
            "values": values,
            "errors": errors,
            "is_attendee": permissions.is_attendee(membership, meeting),
        },
        status=status,
    )
