"""A person's care page: stage, plan offer, MDT flag, care team, sharing choices and tasks sent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from joinedup.core.forms import date_field, error_messages
from joinedup.core.models import Organisation, Team, User
from joinedup.people import access
from joinedup.people.actions import set_sharing_choices

from .. import actions, conversations, permissions, queries
from ..models import (
    Assessment,
    CarePlan,
    CareTeamMember,
    CaseloadEntry,
    ClosedReason,
    OfferStatus,
    Stage,
    TaskKind,
)
from ..policies import STAGE_MOVES
from ._common import _int, _partnership_staff, _person


def _care_context(membership, person, errors=None, values=None):
    entry = CaseloadEntry.objects.filter(person=person).first()
    may_manage = permissions.may_manage_care(membership, person.pk)
    team = list(queries.care_team(person))
    for member in team:
        member.own_place = permissions.is_own_place(membership, member)
        member.may_remove = may_manage or member.own_place
    return {
        "person": person,
        "entry": entry,
        "may_manage": may_manage,
        "next_stages": _next_stages(entry),
        "closed_reasons": ClosedReason.choices,
        "offer_statuses": OfferStatus.choices,
        "team": team,
        "plan": CarePlan.objects.filter(person=person).first(),
        "last_assessment": Assessment.objects.filter(person=person).first(),
        "tasks": queries.tasks_for(person),
        "episodes": list(
            queries.hospital_episodes(
                person,
                today=timezone.localdate(),
                show_sensitive=access.sees_sensitive(membership, person),
            )
        ),
        "messages_card": conversations.card(membership, person),
        "errors": errors or {},
        "values": values or {},
        "today": timezone.localdate(),
    }


def _next_stages(entry) -> list[tuple[str, str]]:
    """The stages the person may move to, forward ones first: the one already chosen in the
    form is the next step, never a step back."""
    if entry is None:
        return []
    here = Stage.values.index(entry.stage)
    moves = [s for s in Stage.values if s in STAGE_MOVES[entry.stage]]
    moves.sort(key=lambda s: Stage.values.index(s) < here)
    return [(s, Stage(s).label) for s in moves]


# The forms that have a page of their own (form name → template).
FORM_PAGES = {
    "team-add": "care/team_add.jinja",
    "sharing": "care/sharing.jinja",
    "task": "care/task_new.jinja",
}


def _form_context(membership, person, errors=None, values=None):
    return {
        "person": person,
        "organisations": queries.partnership_organisations(membership.organisation).order_by(
            "name"
        ),
        "staff": _partnership_staff(membership),
        "teams": [
            (t.pk, f"{t.name} ({t.organisation.name})")
            for t in Team.objects.filter(
                organisation__in=queries.partnership_organisations(membership.organisation)
            )
            .select_related("organisation")
            .distinct()
            .order_by("organisation__name", "name")
        ],
        "kinds": [(k, label) for k, label in TaskKind.choices if k != TaskKind.REVIEW],
        "errors": errors or {},
        "values": values or {},
    }


@login_required
def person_form(request, person_id: int, form: str):
    """One of the care page's longer forms, on a page of its own."""
    membership, person, _ = _person(request, person_id, "care")
    if form not in FORM_PAGES:
        raise Http404("No such form")
    return render(request, FORM_PAGES[form], _form_context(membership, person))


@login_required
def person_care(request, person_id: int):
    membership, person, _ = _person(request, person_id, "care")
    return render(request, "care/person.jinja", _care_context(membership, person))


# After each change on the care page: what happened, and what usually comes next.
NEXT_AFTER_STAGE = {
    Stage.CONTACTED: "Next: the holistic assessment.",
    Stage.ASSESSED: "Next: agree the personalised care and support plan with them.",
    Stage.PLAN_AGREED: "Next: set the review date in the plan if it has none.",
    Stage.UNDER_REVIEW: "Next: record the review on the plan.",
    Stage.CLOSED: "They are no longer on the open caseload.",
}


def _entry_of(person) -> CaseloadEntry:
    entry = CaseloadEntry.objects.filter(person=person).first()
    if entry is None:
        raise ValidationError({"form": f"{person.full_name} is not on the caseload"})
    return entry


# The forms on the care page, one function each: (request, membership, person, data) →
# the change made through its action, and what to tell the user.


def _change_stage(request, membership, person, data) -> str:
    entry = actions.move_stage(
        by=request.user,
        membership=membership,
        entry=_entry_of(person),
        stage=data.get("stage", ""),
        closed_reason=data.get("closed_reason", ""),
    )
    return f"{person.full_name} moved to {entry.get_stage_display().lower()}. " + (
        NEXT_AFTER_STAGE.get(entry.stage, "")
    )


def _change_offer(request, membership, person, data) -> str:
    entry = actions.set_offer(
        by=request.user,
        membership=membership,
        entry=_entry_of(person),
        offer_status=data.get("offer_status", ""),
    )
    return f"Plan offer recorded: {entry.get_offer_status_display().lower()}."


def _flag_for_mdt(request, membership, person, data) -> str:
    flagged = data.get("flagged") == "yes"
    actions.flag_for_mdt(
        by=request.user, membership=membership, entry=_entry_of(person), flagged=flagged
    )
    if flagged:
        return f"{person.full_name} is flagged for the next MDT meeting of their area."
    return f"{person.full_name} is no longer flagged for MDT discussion."


def _chosen_organisation(data, field: str, missing: str) -> Organisation:
    organisation = Organisation.objects.filter(pk=_int(data.get(field))).first()
    if organisation is None:
        raise ValidationError({field: missing})
    return organisation


def _add_team_member(request, membership, person, data) -> str:
    organisation = _chosen_organisation(data, "organisation", "Choose an organisation")
    actions.add_team_member(
        by=request.user,
        membership=membership,
        person=person,
        organisation=organisation,
        user=User.objects.filter(pk=_int(data.get("user"))).first(),
        role=data.get("role", ""),
        is_lead=data.get("is_lead") == "yes",
        is_key_worker=data.get("is_key_worker") == "yes",
    )
    return "Added to the care team: they can now open the record."


def _remove_team_member(request, membership, person, data) -> str:
    member = get_object_or_404(
        CareTeamMember, pk=_int(data.get("member")), person=person, left_at__isnull=True
    )
    actions.remove_team_member(by=request.user, membership=membership, member=member)
    return "Removed from the care team: the access it gave has ended."


def _record_sharing(request, membership, person, data) -> str:
    set_sharing_choices(
        by=request.user,
        membership=membership,
        person=person,
        sensitive_sharing_consent=data.get("sensitive_sharing_consent") == "yes",
        objects_to_sharing=data.get("objects_to_sharing") == "yes",
    )
    return "Sharing choices recorded."


def _send_task(request, membership, person, data) -> str:
    owner = _chosen_organisation(data, "owner_organisation", "Choose who should do it")
    actions.create_task(
        by=request.user,
        membership=membership,
        person=person,
        kind=data.get("kind", TaskKind.TASK),
        description=data.get("description", ""),
        detail=data.get("detail", ""),
        owner_organisation=owner,
        owner_user=User.objects.filter(pk=_int(data.get("owner_user"))).first(),
        owner_team=Team.objects.filter(pk=_int(data.get("owner_team"))).first(),
        due=date_field(data, "due", "Due date"),
        source="care page",
    )
    return "Sent: it is in their inbox, and you will see its progress here."


CARE_FORMS = {
    "stage": _change_stage,
    "offer": _change_offer,
    "mdt": _flag_for_mdt,
    "team-add": _add_team_member,
    "team-remove": _remove_team_member,
    "sharing": _record_sharing,
    "task": _send_task,
}


@login_required
@require_POST
def person_care_update(request, person_id: int):
    """One of the forms on the care page (``CARE_FORMS``): stage, offer, MDT flag, team,
    sharing choices, a task."""
    membership, person, _ = _person(request, person_id, "care")
    form = request.POST.get("form", "")
    change = CARE_FORMS.get(form)
    try:
        if change is None:
            raise ValidationError({"form": "Nothing to change"})
        done = change(request, membership, person, request.POST)
    except ValidationError as exc:
        if form in FORM_PAGES:
            context = _form_context(membership, person, error_messages(exc), request.POST)
            return render(request, FORM_PAGES[form], context, status=400)
        context = _care_context(membership, person, error_messages(exc), request.POST)
        return render(request, "care/person.jinja", context, status=400)
    messages.success(request, done)
    if access.access_basis(membership, person.pk) is None:
        return redirect("care:caseload")  # e.g. the person objected to sharing
    return redirect("care:person", person_id=person.pk)
