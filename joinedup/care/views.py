"""Care coordination pages: caseload, a person's care (stage, team, tasks), the shared plan
and its versions, the inbox and a task."""

from datetime import date, datetime, time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from joinedup.core.actions import record_audit
from joinedup.core.forms import date_field, error_messages
from joinedup.core.jinja_env import nhs_date
from joinedup.core.models import (
    LocalCareNetwork,
    Neighbourhood,
    Organisation,
    OrganisationType,
    Team,
    User,
)
from joinedup.core.permissions import gives_direct_care
from joinedup.directory import queries as directory_queries
from joinedup.directory.models import ServiceReferral
from joinedup.people import access
from joinedup.people.actions import record_person_view, set_sharing_choices
from joinedup.people.queries import person_match

from . import actions, assessment, conversations, permissions, plans, queries
from .models import (
    AgendaItem,
    Assessment,
    AssessmentStatus,
    CarePlan,
    CareTeamMember,
    CaseloadEntry,
    ClosedReason,
    Meeting,
    OfferStatus,
    PlanVersion,
    Stage,
    Task,
    TaskKind,
    TaskStatus,
)
from .policies import OPEN_TASK, STAGE_MOVES


def _membership(request):
    if not gives_direct_care(request.membership):
        raise PermissionDenied("Care coordination is for staff who give direct care")
    return request.membership


def _person(request, person_id: int, page: str):
    """The person, through the one access check; every view is audited."""
    membership = _membership(request)
    person, basis = access.get_person_for(membership, person_id)
    record_person_view(
        by=request.user, membership=membership, person=person, basis=basis, page=page
    )
    return membership, person, basis


def _int(value) -> int | None:
    return int(value) if str(value or "").isdecimal() else None


@login_required
def caseload(request):
    """The people a member of staff works with: their own (care-team places, tasks and
    referrals assigned to them), their team's, or the area caseload their organisation
    serves; searchable, sortable and a page at a time."""
    membership = _membership(request)
    scope = request.GET.get("scope", "")
    if scope not in queries.SCOPES:
        scope = queries.default_scope(membership)
    sort = request.GET.get("sort", "")
    sorts = (
        queries.SORTS
        if scope != "organisation"
        else {k: v for k, v in queries.SORTS.items() if k in ("priority", "name")}
    )
    if sort not in sorts:
        sort = "priority"
    text = (request.GET.get("q") or "").strip()[:100]
    area = request.GET.get("area", "")
    kind, _, pk = area.partition(":")
    filters = {
        "network": _int(pk) if kind == "lcn" else None,
        "neighbourhood": _int(pk) if kind == "hood" else None,
        "practice": _int(request.GET.get("practice")),
        "stage": request.GET.get("stage", "") if request.GET.get("stage") in Stage.values else "",
        "flagged": request.GET.get("flagged") == "yes",
        "text": text,
    }
    if scope == "organisation":
        page = queries.caseload_page(membership, request.GET.get("page"), sort=sort, **filters)
        entries = {e.person_id: e for e in page.object_list}
        rows = queries.case_rows(membership, [e.person for e in page.object_list], entries)
    else:
        ids = queries.my_people_ids(membership, scope)
        people = access.accessible_people(membership).filter(pk__in=ids)
        match = person_match(text)
        if match is not None:
            people = people.filter(match)
        entries = {e.person_id: e for e in CaseloadEntry.objects.filter(person_id__in=ids)}
        if filters["stage"]:
            people = people.filter(
                pk__in=[p for p, e in entries.items() if e.stage == filters["stage"]]
            )
        if filters["flagged"]:
            people = people.filter(pk__in=[p for p, e in entries.items() if e.flagged_for_mdt])
        rows = queries.sort_rows(queries.case_rows(membership, list(people), entries), sort)
        page = Paginator(rows, 25).get_page(request.GET.get("page"))
        rows = list(page.object_list)
    record_audit(
        by=request.user,
        organisation=membership.organisation,
        action="care.caseload.view",
        detail={
            "scope": scope,
            "filters": {k: v for k, v in filters.items() if v and k != "text"},
            "searched": bool(text),
            "page": page.number,
        },
    )
    query = {
        "scope": scope,
        "sort": sort,
        "q": text,
        "area": area,
        "practice": filters["practice"],
        "stage": filters["stage"],
        "flagged": "yes" if filters["flagged"] else "",
    }
    return render(
        request,
        "care/caseload.jinja",
        {
            "page": page,
            "rows": rows,
            "scope": scope,
            "scopes": queries.SCOPES,
            "sort": sort,
            "sorts": sorts,
            "text": text,
            "filters": filters,
            "today": timezone.localdate(),
            "area_items": _items("All", _areas(membership), area),
            "practice_items": _items(
                "All",
                Organisation.objects.filter(type=OrganisationType.GP_PRACTICE).values_list(
                    "pk", "name"
                ),
                filters["practice"],
            ),
            "stage_items": _items("All open", Stage.choices, filters["stage"]),
            "query": urlencode({k: v for k, v in query.items() if v}),
            "scope_query": urlencode({k: v for k, v in query.items() if v and k != "scope"}),
        },
    )


def _items(blank: str, pairs, chosen) -> list[dict]:
    """Options for an NHS.UK select."""
    return [{"value": "", "text": blank}] + [
        {"value": str(value), "text": text, "selected": str(value) == str(chosen or "")}
        for value, text in pairs
    ]


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


@login_required
def plan(request, person_id: int):
    membership, person, basis = _person(request, person_id, "plan")
    plan = CarePlan.objects.filter(person=person).first()
    may_change = permissions.may_change_plan(membership, person.pk)
    if plan is None:
        return render(request, "care/plan_none.jinja", {"person": person, "may_change": may_change})
    version = plan.versions.select_related("author", "organisation").first()
    return render(
        request,
        "care/plan.jinja",
        {
            "person": person,
            "plan": plan,
            "version": version,
            "content": version.content,
            "shown_sections": plans.shown_sections(version.content),
            "team": queries.care_team(person),
            "goal_progress": dict(plans.GOAL_PROGRESS),
            "action_status": dict(plans.ACTION_STATUS),
            "who_types": dict(plans.WHO_TYPES),
            "basis": basis,
            "may_change": may_change,
            "referrals": directory_queries.referrals_by_plan_action(person),
        },
    )


@login_required
@require_POST
def plan_start(request, person_id: int):
    membership, person, _ = _person(request, person_id, "plan")
    try:
        actions.start_plan(by=request.user, membership=membership, person=person)
    except ValidationError:
        pass  # someone else started it a moment ago: show theirs
    return redirect("care:plan", person_id=person.pk)


def _plan_for(person) -> CarePlan:
    plan = CarePlan.objects.filter(person=person).first()
    if plan is None:
        raise PermissionDenied("This person has no plan yet")
    return plan


@login_required
def plan_section(request, person_id: int, section: str):
    membership, person, _ = _person(request, person_id, "plan")
    permissions.require_plan_change(membership, person.pk)
    plan = _plan_for(person)
    spec = plans.SECTION_BY_KEY.get(section)
    if spec is None:
        raise PermissionDenied("No such section")
    content = actions.current_content(plan)
    values = _section_values(section, content.get(section) or {})
    errors, status = {}, 200
    base_version = plan.version
    if request.method == "POST":
        base_version = _int(request.POST.get("base_version")) or 0
        try:
            plan = actions.save_section(
                by=request.user,
                membership=membership,
                plan=plan,
                base_version=base_version,
                section=section,
                data=request.POST,
            )
            messages.success(
                request, f"{spec.title} saved: the plan is now version {plan.version}."
            )
            return redirect("care:plan", person_id=person.pk)
        except actions.StaleEdit as exc:
            errors, status = {"form": exc.messages[0]}, 409
            plan.refresh_from_db()
            base_version = plan.version
            values = _section_values(section, actions.current_content(plan).get(section) or {})
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
            values = {k: request.POST.getlist(k) for k in request.POST}
            values = {
                k: v if len(v) > 1 or k.endswith("-where") else v[0] for k, v in values.items()
            }
    return render(
        request,
        "care/plan_section.jinja",
        {
            "person": person,
            "section": spec,
            "values": values,
            "errors": errors,
            "base_version": base_version,
        },
        status=status,
    )


def _section_values(section: str, stored: dict) -> dict:
    """Stored answers → the names the form uses (dates split into day, month, year)."""
    values = {}
    for f in plans.SECTION_BY_KEY[section].fields:
        name = f"{section}-{f.key}"
        value = stored.get(f.key, [] if f.kind == "multichoice" else "")
        if f.kind == "date" and value:
            d = date.fromisoformat(value)
            values.update({f"{name}-day": d.day, f"{name}-month": d.month, f"{name}-year": d.year})
        else:
            values[name] = value
    return values


@login_required
def plan_item(request, person_id: int, kind: str, item_id: str = ""):
    """Add or change a goal or an action."""
    membership, person, _ = _person(request, person_id, "plan")
    permissions.require_plan_change(membership, person.pk)
    plan = _plan_for(person)
    if kind not in ("goal", "action"):
        raise PermissionDenied("No such part of the plan")
    items = actions.current_content(plan).get(f"{kind}s") or []
    item = next((i for i in items if i.get("id") == item_id), None) if item_id else {}
    if item is None:
        raise PermissionDenied("That is not in this plan")
    values = dict(item)
    if kind == "action" and item.get("by_when"):
        d = date.fromisoformat(item["by_when"])
        values.update({"by_when-day": d.day, "by_when-month": d.month, "by_when-year": d.year})
    errors, status, base_version = {}, 200, plan.version
    if request.method == "POST":
        base_version = _int(request.POST.get("base_version")) or 0
        save = actions.save_goal if kind == "goal" else actions.save_action
        key = {"goal_id": item_id} if kind == "goal" else {"action_id": item_id}
        try:
            plan = save(
                by=request.user,
                membership=membership,
                plan=plan,
                base_version=base_version,
                data=request.POST,
                **key,
            )
            messages.success(
                request,
                f"{kind.capitalize()} {'saved' if item_id else 'added'}: "
                f"the plan is now version {plan.version}.",
            )
            return redirect("care:plan", person_id=person.pk)
        except actions.StaleEdit as exc:
            errors, status = {"form": exc.messages[0]}, 409
            plan.refresh_from_db()
            base_version = plan.version
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
            values = {k: request.POST.get(k, "") for k in request.POST}
    return render(
        request,
        "care/plan_item.jinja",
        {
            "person": person,
            "kind": kind,
            "item_id": item_id,
            "values": values,
            "errors": errors,
            "base_version": base_version,
            "goal_progress": plans.GOAL_PROGRESS,
            "action_status": plans.ACTION_STATUS,
            "who_types": plans.WHO_TYPES,
        },
        status=status,
    )


@login_required
def plan_versions(request, person_id: int):
    _membership_, person, _ = _person(request, person_id, "plan versions")
    plan = _plan_for(person)
    versions = list(plan.versions.select_related("author", "organisation"))
    numbers = [v.number for v in versions]
    first = _int(request.GET.get("from"))
    second = _int(request.GET.get("to"))
    diff, error = None, None
    if first is not None or second is not None:
        if first in numbers and second in numbers and first != second:
            old = PlanVersion.objects.get(plan=plan, number=min(first, second)).content
            new = PlanVersion.objects.get(plan=plan, number=max(first, second)).content
            diff = plans.differences(old, new)
        else:
            error = "Choose two different versions to compare"
    return render(
        request,
        "care/plan_versions.jinja",
        {
            "person": person,
            "plan": plan,
            "versions": versions,
            "diff": diff,
            "error": error,
            "first": first,
            "second": second,
        },
        status=400 if error else 200,
    )


@login_required
def reviews(request):
    membership = _membership(request)
    today = timezone.localdate()
    plans_due = queries.reviews_due(membership, today=today)
    page = Paginator(plans_due, 50).get_page(request.GET.get("page"))
    return render(request, "care/reviews.jinja", {"page": page, "today": today})


@login_required
def inbox(request):
    membership = _membership(request)
    boxes = queries.inbox(membership, today=timezone.localdate())
    shown = {name: list(boxes[name][:100]) for name in ("mine", "team", "organisation")}
    return render(
        request,
        "care/inbox.jinja",
        {
            **shown,
            "counts": {name: boxes[name].count() for name in (*shown, "overdue")},
            "sent": list(boxes["sent"][:50]),
            "threads": list(conversations.waiting_for(membership)[:100]),
            "today": timezone.localdate(),
        },
    )


@login_required
def task(request, task_id: int):
    membership = _membership(request)
    task = get_object_or_404(
        Task.objects.select_related(
            "person", "requester", "requester_organisation", "owner_organisation", "owner_user"
        ),
        pk=task_id,
    )
    if not permissions.may_see_task(membership, task):
        raise PermissionDenied("This task is between other organisations")
    errors, status = {}, 200
    if request.method == "POST":
        try:
            actions.move_task(
                by=request.user,
                membership=membership,
                task=task,
                status=request.POST.get("status", ""),
                base_version=_int(request.POST.get("base_version")) or 0,
                reason=request.POST.get("reason", ""),
                outcome=request.POST.get("outcome", ""),
            )
            return redirect("care:task", task_id=task.pk)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
            task.refresh_from_db()
    record_audit(
        by=request.user,
        organisation=membership.organisation,
        action="care.task.view",
        person_id=task.person_id,
        object_type="task",
        object_id=task.pk,
    )
    moves = [
        (s, TaskStatus(s).label)
        for s in TaskStatus.values
        if permissions.may_move_task(membership, task, s)
    ]
    may_open_record = access.access_basis(membership, task.person_id) is not None
    referral = ServiceReferral.objects.filter(task=task).first()
    return render(
        request,
        "care/task.jinja",
        {
            "task": task,
            "moves": moves,
            "errors": errors,
            "may_open_record": may_open_record,
            # The plan's words, like the record, only to those who may open it.
            "plan_action": directory_queries.plan_action(task.person, referral.plan_action)
            if referral and may_open_record
            else None,
            "may_work": permissions.may_work(membership, task),
            "today": timezone.localdate(),
        },
        status=status,
    )


# ---------------------------------------------------------------------------------------
# Holistic assessment


def _field_id(link_id: str) -> str:
    return link_id.replace(".", "-")


def _assessment_for(person, assessment_id: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related("questionnaire", "author", "organisation"),
        pk=assessment_id,
        person=person,
    )


@login_required
def assessments(request, person_id: int):
    """The person's assessments, newest first, and the way to start (or carry on) one."""
    membership, person, _ = _person(request, person_id, "assessments")
    if request.method == "POST":
        started = actions.start_assessment(by=request.user, membership=membership, person=person)
        return redirect("care:assessment", person_id=person.pk, assessment_id=started.pk)
    return render(
        request,
        "care/assessments.jinja",
        {
            "person": person,
            "assessments": Assessment.objects.filter(person=person).select_related(
                "author", "organisation", "questionnaire"
            ),
        },
    )


def _shown_domains(membership, person, basis: str, item: Assessment) -> list[dict]:
    """Each domain with its questions, answers and where each answer came from; a
    sensitive domain the viewer may not see is listed as withheld."""
    rows = []
    may_see = access.sees_sensitive(membership, person, basis)
    for d in assessment.domains_from_resource(item.questionnaire.resource):
        withheld = d.sensitive and not may_see
        rows.append(
            {
                "domain": d,
                "withheld": withheld,
                "checked": d.link_id in item.checked,
                "answers": []
                if withheld
                else [
                    {
                        "question": q,
                        "value": assessment.shown(q, item.answers.get(q.link_id, "")),
                        "source": item.sources.get(q.link_id),
                    }
                    for q in d.questions
                ],
            }
        )
    return rows


@login_required
def assessment_view(request, person_id: int, assessment_id: int):
    membership, person, basis = _person(request, person_id, "assessment")
    item = _assessment_for(person, assessment_id)
    errors, status = {}, 200
    if request.method == "POST" and item.status == AssessmentStatus.IN_PROGRESS:
        try:
            actions.complete_assessment(
                by=request.user,
                membership=membership,
                item=item,
                base_version=_int(request.POST.get("base_version")) or 0,
            )
            messages.success(
                request,
                f"Assessment complete. {person.given_name} is now assessed: "
                "agree what to do about the needs below in their plan.",
            )
            return redirect("care:assessment", person_id=person.pk, assessment_id=item.pk)
        except ValidationError as exc:
            errors, status = {"form": exc.messages[0]}, 409
            item = _assessment_for(person, assessment_id)
    domains = _shown_domains(membership, person, basis, item)
    return render(
        request,
        "care/assessment.jinja",
        {
            "person": person,
            "item": item,
            "domains": domains,
            "needs": assessment.needs_found(
                assessment.domains_from_resource(item.questionnaire.resource),
                item.answers,
                withheld={d["domain"].link_id for d in domains if d["withheld"]},
            ),
            "plan": CarePlan.objects.filter(person=person).first(),
            "unchecked": [d["domain"].title for d in domains if not d["checked"]],
            "errors": errors,
        },
        status=status,
    )


@login_required
def assessment_domain(request, person_id: int, assessment_id: int, domain: str):
    """Go through one domain with the person: pre-filled answers show where they came
    from, so only what has changed needs asking."""
    membership, person, basis = _person(request, person_id, "assessment")
    item = _assessment_for(person, assessment_id)
    spec = next(
        (
            d
            for d in assessment.domains_from_resource(item.questionnaire.resource)
            if d.link_id == domain
        ),
        None,
    )
    if spec is None or item.status != AssessmentStatus.IN_PROGRESS:
        raise Http404("No such part of an assessment in progress")
    if spec.sensitive and not access.sees_sensitive(membership, person, basis):
        raise PermissionDenied("This part is withheld without the person's consent")
    values = dict(item.answers)
    errors, status, base_version = {}, 200, item.version
    if request.method == "POST":
        base_version = _int(request.POST.get("base_version")) or 0
        posted = {q.link_id: request.POST.get(_field_id(q.link_id), "") for q in spec.questions}
        try:
            actions.save_assessment_domain(
                by=request.user,
                membership=membership,
                item=item,
                base_version=base_version,
                domain=domain,
                data=posted,
            )
            return redirect("care:assessment", person_id=person.pk, assessment_id=item.pk)
        except actions.StaleEdit as exc:
            errors, status = {"form": exc.messages[0]}, 409
            item = _assessment_for(person, assessment_id)
            values, base_version = dict(item.answers), item.version
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
            values = {**values, **posted}
    return render(
        request,
        "care/assessment_domain.jinja",
        {
            "person": person,
            "item": item,
            "domain": spec,
            "values": values,
            "sources": item.sources,
            "errors": {_field_id(k): v for k, v in errors.items()},
            "base_version": base_version,
        },
        status=status,
    )


# ---------------------------------------------------------------------------------------
# MDT meetings


def _starts_at(data):
    """The meeting's date (NHS.UK date input) and time ("14:30") → an aware datetime."""
    day = date_field(data, "starts_at", "Date")
    if day is None:
        return None
    hours, _, minutes = (data.get("starts_at-time") or "").strip().partition(":")
    if not (hours.isdecimal() and minutes.isdecimal() and int(hours) < 24 and int(minutes) < 60):
        raise ValidationError({"starts_at-time": "Enter the time like 14:30"})
    return timezone.make_aware(datetime.combine(day, time(int(hours), int(minutes))))


def _areas(membership) -> list[tuple[str, str]]:
    places = membership.organisation.places.values("pk")
    networks = LocalCareNetwork.objects.filter(place__in=places).order_by("name")
    hoods = Neighbourhood.objects.filter(network__place__in=places).order_by("name")
    return [(f"lcn:{n.pk}", f"{n.name} (local care network)") for n in networks] + [
        (f"hood:{h.pk}", f"{h.name} (neighbourhood)") for h in hoods
    ]


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


def _partnership_staff(membership):
    return (
        User.objects.filter(
            memberships__active=True,
            memberships__organisation__in=queries.partnership_organisations(
                membership.organisation
            ),
        )
        .distinct()
        .order_by("last_name", "first_name")
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


@login_required
def plan_review(request, person_id: int):
    """Record a review with the person: what changed and when to review next."""
    membership, person, _ = _person(request, person_id, "plan")
    permissions.require_plan_change(membership, person.pk)
    plan = _plan_for(person)
    errors, status, values, base_version = {}, 200, {}, plan.version
    if request.method == "POST":
        values = request.POST
        base_version = _int(values.get("base_version")) or 0
        try:
            next_review = date_field(values, "next_review", "Next review date")
            plan = actions.record_review(
                by=request.user,
                membership=membership,
                plan=plan,
                base_version=base_version,
                what_changed=values.get("what_changed", ""),
                next_review=next_review,
            )
            messages.success(
                request,
                f"Review recorded: the plan is now version {plan.version}. "
                f"Next review {nhs_date(plan.review_date)}.",
            )
            return redirect("care:plan", person_id=person.pk)
        except actions.StaleEdit as exc:
            errors, status = {"what_changed": exc.messages[0]}, 409
            plan.refresh_from_db()
            base_version = plan.version
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "care/plan_review.jinja",
        {
            "person": person,
            "plan": plan,
            "reasons": Task.objects.filter(
                person=person, kind=TaskKind.REVIEW, status__in=OPEN_TASK
            ),
            "values": values,
            "errors": errors,
            "base_version": base_version,
        },
        status=status,
    )


@login_required
def plan_pdf(request, person_id: int):
    """The plan as a plain-English PDF to print or give to the person."""
    from django.http import HttpResponse

    from .documents import plan_pdf as render_pdf

    _membership_, person, _ = _person(request, person_id, "plan pdf")
    plan = _plan_for(person)
    response = HttpResponse(render_pdf(plan, person), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="care-plan-{person.pk}.pdf"'
    return response
