"""The directory's pages: search (for navigators and other staff here; for residents in the
portal, which reuses ``search_context`` and the same templates) and one service in full."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from joinedup.care.interface import may_work
from joinedup.core.actions import record_audit
from joinedup.core.documents import pdf
from joinedup.core.forms import error_messages
from joinedup.core.jinja_env import age
from joinedup.core.permissions import gives_direct_care, may_curate_directory
from joinedup.core.place_settings import effective
from joinedup.people import access
from joinedup.people import queries as people_queries
from joinedup.people.actions import record_person_view

from . import actions, needs, queries
from .feeds import DAY_CODES
from .models import (
    ONS4,
    Consent,
    ProblemReport,
    Service,
    ServiceReferral,
    ServiceStatus,
    Shortlist,
)
from .permissions import may_refer
from .search import Criteria, describe, search

DISTANCES = (("", "Any distance"), ("1", "1 km"), ("2", "2 km"), ("5", "5 km"), ("10", "10 km"))
WHEN = (("", "Any time"), ("now", "Open now")) + tuple(
    zip(DAY_CODES, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                    "Sunday"), strict=True)
)  # fmt: skip
MAX_TEXT = 200


def criteria_from(data, *, defaults: dict | None = None) -> tuple[Criteria, dict[str, str]]:
    """Search criteria from a search form's query string, and {field: error} for what
    cannot be used (the rest of the search still runs)."""
    errors: dict[str, str] = {}
    given = {**(defaults or {}), **{k: v for k, v in data.items() if v != ""}}
    # The needs ticked; before the form is first sent, the needs it starts with.
    chosen = data.getlist("need") if "search" in data or "need" in data else None
    if chosen is None:
        chosen = list((defaults or {}).get("need") or [])
    criteria = Criteria(
        text=str(given.get("q", ""))[:MAX_TEXT],
        needs=[n for n in chosen if n in needs.BY_CODE],
        postcode=str(given.get("postcode", ""))[:20],
        carer=data.get("carer") == "yes",
        free=data.get("free") == "yes",
        step_free=data.get("step_free") == "yes",
    )
    distance = str(given.get("distance", ""))
    if distance and distance in dict(DISTANCES):
        criteria.within_km = float(distance)
    when = str(given.get("when", ""))
    if when == "now":
        criteria.open_at = timezone.localtime().replace(tzinfo=None)
    elif when in DAY_CODES:
        criteria.day = when
    age = str(given.get("age", "")).strip()
    if age:
        if age.isdecimal() and int(age) <= 120:
            criteria.age = int(age)
        else:
            errors["age"] = "Enter an age in whole years, like 67"
    if criteria.within_km and not criteria.postcode:
        errors["postcode"] = "Enter a postcode to search by distance"
    return criteria, errors


def search_context(request, *, defaults: dict | None = None, person=None) -> dict:
    """The search form and its results; for a person, their practice's list counts as
    a catchment they are in."""
    data = request.GET
    criteria, errors = criteria_from(data, defaults=defaults)
    practice = getattr(person, "registered_practice", None) if person is not None else None
    criteria.practice = (practice.ods_code or "") if practice is not None else ""
    found = None
    searched = any(data.get(k) for k in ("q", "need", "postcode", "when", "search")) or bool(
        (defaults or {}).get("need") or (defaults or {}).get("search")
    )
    if searched and not errors:
        try:
            found = search(criteria)
        except ValidationError as exc:
            errors["postcode"] = exc.messages[0]
    return {
        "criteria": criteria,
        "found": found,
        "errors": errors,
        "searched": searched,
        "need_choices": [(n.code, n.name) for n in needs.NEEDS],
        "chosen_needs": criteria.needs,
        "distances": DISTANCES,
        "whens": WHEN,
        "values": {**(defaults or {}), **data.dict()},
        "advice": advice(criteria),
    }


def advice(criteria: Criteria) -> str:
    """What to change when nothing matched, from what was asked for."""
    ways = []
    if len(criteria.needs) > 1:
        ways.append("fewer needs")
    elif criteria.needs:
        ways.append("another need")
    if criteria.text:
        ways.append("different words")
    if criteria.within_km:
        ways.append("a longer distance")
    if criteria.open_at or criteria.day:
        ways.append("any time")
    if criteria.free or criteria.step_free or criteria.carer:
        ways.append("fewer of the ‘only show’ choices")
    if criteria.age is not None:
        ways.append("no age")
    if not ways:
        return "Nothing is listed for this area yet. Try another postcode."
    return "Try " + (", ".join(ways[:-1]) + " or " if len(ways) > 1 else "") + ways[-1] + "."


def _person(request, person_id, page: str):
    """The person a search or referral is for, through the one access check, audited."""
    membership = request.membership
    if not gives_direct_care(membership):
        raise PermissionDenied("Referring people is for staff who give direct care")
    person, basis = access.get_person_for(membership, int(person_id))
    record_person_view(
        by=request.user, membership=membership, person=person, basis=basis, page=page
    )
    return membership, person


def _for_person(request):
    person_id = request.GET.get("person", "")
    if not person_id.isdecimal():
        return None
    return _person(request, person_id, "directory search")[1]


@login_required
def search_page(request):
    """Find services; for a person, from their postcode and age; for one of their plan's
    actions, for the need the action is about."""
    person = _for_person(request)
    defaults, action = None, None
    if person is not None:
        defaults = {"postcode": person.postcode, "age": str(age(person.birth_date))}
        place = person.practice_place
        reach = effective(place)["directory"]["search_km"]
        if reach and person.postcode:
            defaults["distance"] = str(reach)  # the place's catchment, to start with
        action = queries.plan_action(person, request.GET.get("action", ""))
        if action is not None:
            defaults.update(need=queries.needs_for_action(action), search="1")
    context = search_context(request, defaults=defaults, person=person)
    return render(
        request, "directory/search.jinja", {**context, "person": person, "plan_action": action}
    )


def service_context(oruk_id: str) -> dict:
    service = (
        Service.objects.select_related("organisation")
        .prefetch_related(
            "terms",
            "schedules",
            "areas",
            "phones",
            "contacts",
            "cost_options",
            "languages",
            "at_locations__location",
        )  # fmt: skip
        .filter(oruk_id=oruk_id)
        .exclude(status=ServiceStatus.DEFUNCT)
        .first()
    )
    if service is None:
        raise Http404("No such service")
    return {
        "service": service,
        "opening_times": [describe(s) for s in service.schedules.all()],
        "stale_before": actions.verified_before(),
    }


@login_required
def service_page(request, oruk_id: str):
    person = _for_person(request)
    context = service_context(oruk_id)
    outcomes = actions.outcomes(context["service"])
    return render(
        request,
        "directory/service.jinja",
        {
            **context,
            "person": person,
            "may_refer": may_refer(request.membership),
            "outcomes": outcomes,
            "ons4": ONS4,
            "report_url": reverse("directory:report", args=[oruk_id]),
        },
    )


MAX_PEOPLE_LISTED = 20


@login_required
def refer_who(request, oruk_id: str):
    """Refer someone to a service from its page: choose the person, from the people the
    user has a legitimate relationship with, then the referral form."""
    membership = request.membership
    if not may_refer(membership):
        raise PermissionDenied("Referring people is for staff who give direct care")
    service = get_object_or_404(
        Service.objects.select_related("organisation__partner"),
        oruk_id=oruk_id,
        status=ServiceStatus.ACTIVE,
    )
    text = request.GET.get("q", "").strip()[:MAX_TEXT]
    errors, total = {}, None
    if text:
        try:
            _, found = people_queries.search_people(membership, text=text)
        except ValidationError as exc:
            errors["q"], found = exc.messages[0], []
        people = [r.person for r in found if r.accessible]
        record_audit(
            by=request.user,
            organisation=membership.organisation,
            action="person.search",
            detail={"kind": "directory referral", "results": len(people)},
        )
    else:
        mine = access.accessible_people(membership).select_related("registered_practice")
        people = list(
            mine.order_by("search_family_name", "search_given_name", "pk")[:MAX_PEOPLE_LISTED]
        )
        total = mine.count() if len(people) == MAX_PEOPLE_LISTED else len(people)
    return render(
        request,
        "directory/refer_who.jinja",
        {"service": service, "q": text, "people": people, "total": total, "errors": errors},
    )


@login_required
def refer(request, oruk_id: str, person_id: int):
    """Refer a person to a service, recording how they agreed and, if they answer, how
    they feel now (ONS4)."""
    membership, person = _person(request, person_id, "directory referral")
    service = get_object_or_404(
        Service.objects.select_related("organisation__partner"), oruk_id=oruk_id
    )
    errors, status = {}, 200
    if request.method == "POST":
        try:
            referral = actions.refer(
                by=request.user,
                membership=membership,
                person=person,
                service=service,
                reason=request.POST.get("reason", "").strip(),
                consent=request.POST.get("consent", ""),
                answers=request.POST,
                plan_action=request.POST.get("action", ""),
            )
            messages.success(
                request, f"Referral sent to the inbox of {referral.task.owner_organisation.name}."
            )
            return redirect("care:task", task_id=referral.task_id)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "directory/refer.jinja",
        {
            "service": service,
            "person": person,
            "errors": errors,
            "values": request.POST,
            "consents": Consent.choices,
            "ons4": ONS4,
        },
        status=status,
    )


@login_required
def outcome(request, referral_id: int):
    """The provider records the person's wellbeing at the end (ONS4)."""
    referral = get_object_or_404(
        ServiceReferral.objects.select_related("task__person", "service"), pk=referral_id
    )
    membership = request.membership
    if not (gives_direct_care(membership) and may_work(membership, referral.task)):
        raise PermissionDenied("Only the organisation the referral is with can record this")
    # The page names the person: it is opened as their record is (the accepted referral
    # gives the relationship), and the view is audited.
    person, basis = access.get_person_for(membership, referral.task.person_id)
    record_person_view(
        by=request.user, membership=membership, person=person, basis=basis,
        page="referral outcome",
    )  # fmt: skip
    errors, status = {}, 200
    if request.method == "POST":
        try:
            actions.record_outcome(
                by=request.user,
                membership=membership,
                referral=referral,
                after=actions.ons4_scores(request.POST, "after_"),
            )
            messages.success(request, "Wellbeing at the end recorded.")
            return redirect("care:task", task_id=referral.task_id)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "directory/outcome.jinja",
        {"referral": referral, "errors": errors, "values": request.POST, "ons4": ONS4},
        status=status,
    )


# --- Keeping it current ---------------------------------------------------------------------


def problem_form(request, service: Service, *, resident: bool, template: str, done_url: str):
    """Report a problem with a listing (staff and residents share this)."""
    errors, status = {}, 200
    if request.method == "POST":
        try:
            actions.report_problem(
                service=service,
                kind=request.POST.get("kind", ""),
                detail=request.POST.get("detail", ""),
                by=None if resident else request.user,
                resident=resident,
            )
            messages.success(request, "Thank you: the directory team will look at it.")
            return redirect(done_url)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    kinds = [c for c in ProblemReport.Kind.choices if c[0] != ProblemReport.Kind.PROVIDER]
    return render(
        request,
        template,
        {"service": service, "kinds": kinds, "errors": errors, "values": request.POST},
        status=status,
    )


@login_required
def report(request, oruk_id: str):
    service = get_object_or_404(Service, oruk_id=oruk_id)
    return problem_form(
        request,
        service,
        resident=False,
        template="directory/report.jinja",
        done_url=reverse("directory:service", args=[oruk_id]),
    )


def confirm(request, token: str):
    """A provider checks its listing from the link in an update request (no account)."""
    update = actions.find_update_request(token)
    if update is None:
        return render(request, "directory/confirm_gone.jinja", {}, status=404)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            actions.answer_update(
                request=update,
                still_correct=request.POST.get("answer") == "correct",
                changes=request.POST.get("changes", ""),
            )
            return render(request, "directory/confirm_done.jinja", {"service": update.service})
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    context = service_context(update.service.oruk_id)
    return render(
        request,
        "directory/confirm.jinja",
        {**context, "errors": errors, "values": request.POST},
        status=status,
    )


def _curator(request):
    if not may_curate_directory(request.membership):
        raise PermissionDenied("The directory queue is for directory curators")
    return request.membership


@login_required
def queue(request):
    _curator(request)
    reports = (
        ProblemReport.objects.filter(status=ProblemReport.Status.OPEN)
        .select_related("service__organisation")
        .order_by("reported_at")
    )
    stale = (
        actions.stale_services()
        .select_related("organisation")
        .order_by(F("assured_date").asc(nulls_first=True), "name")
    )
    return render(
        request,
        "directory/queue.jinja",
        {
            "reports": Paginator(reports, 50).get_page(request.GET.get("page")),
            "stale": stale[:50],
            "stale_count": stale.count(),
            "verify_days": settings.DIRECTORY_VERIFY_DAYS,
        },
    )


@login_required
def resolve(request, report_id: int):
    membership = _curator(request)
    problem = get_object_or_404(
        ProblemReport.objects.select_related("service__organisation"), pk=report_id
    )
    errors, status = {}, 200
    if request.method == "POST":
        try:
            actions.resolve_problem(
                by=request.user,
                membership=membership,
                report=problem,
                status=request.POST.get("status", ""),
                resolution=request.POST.get("resolution", ""),
                close_service=request.POST.get("close_service") == "yes",
            )
            messages.success(request, "Done.")
            return redirect("directory:queue")
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    return render(
        request,
        "directory/resolve.jinja",
        {"problem": problem, "errors": errors, "values": request.POST},
        status=status,
    )


@login_required
@require_POST
def verify(request, oruk_id: str):
    membership = _curator(request)
    service = get_object_or_404(Service, oruk_id=oruk_id)
    actions.verify_service(by=request.user, membership=membership, service=service)
    messages.success(request, f"{service.name} marked as checked today.")
    return redirect("directory:queue")


# --- Shortlists -----------------------------------------------------------------------------


def shortlist_services(shortlist: Shortlist) -> list[dict]:
    """The services on a shortlist, each with what a person needs to get in touch."""
    services = (
        Service.objects.filter(shortlist_items__shortlist=shortlist)
        .select_related("organisation")
        .prefetch_related("schedules", "phones", "at_locations__location")
        .order_by("shortlist_items__added_at")
    )
    return [
        {"service": s, "opening_times": [describe(x) for x in s.schedules.all()]} for s in services
    ]


def shortlist_pdf_response(shortlist: Shortlist, person) -> HttpResponse:
    html = render_to_string(
        "directory/shortlist_document.jinja",
        {
            "shortlist": shortlist,
            "person": person,
            "items": shortlist_services(shortlist),
            "printed_at": timezone.now(),
        },
    )
    response = HttpResponse(pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="services-for-you-{shortlist.pk}.pdf"'
    return response


@login_required
@require_POST
def shortlist_add(request, oruk_id: str, person_id: int):
    membership, person = _person(request, person_id, "directory shortlist")
    service = get_object_or_404(Service, oruk_id=oruk_id, status=ServiceStatus.ACTIVE)
    try:
        actions.shortlist_add(
            by=request.user, membership=membership, person=person, service=service
        )
        messages.success(request, f"{service.name} added to {person.given_name}'s shortlist.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect(f"{reverse('directory:service', args=[oruk_id])}?person={person.pk}")


@login_required
def shortlist(request, person_id: int):
    membership, person = _person(request, person_id, "directory shortlist")
    current = actions.open_shortlist(membership=membership, person=person)
    errors, status = {}, 200
    if request.method == "POST" and current is not None:
        try:
            if request.POST.get("remove"):
                service = get_object_or_404(Service, oruk_id=request.POST["remove"])
                actions.shortlist_remove(membership=membership, shortlist=current, service=service)
                return redirect("directory:shortlist", person_id=person.pk)
            actions.give_shortlist(
                by=request.user,
                membership=membership,
                shortlist=current,
                note=request.POST.get("note", ""),
            )
            messages.success(request, f"Given to {person.given_name}: they can see it online too.")
            return redirect("directory:shortlist", person_id=person.pk)
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
    given = Shortlist.objects.filter(person=person, given_at__isnull=False).select_related(
        "organisation", "created_by"
    )
    return render(
        request,
        "directory/shortlist.jinja",
        {
            "person": person,
            "current": current,
            "items": shortlist_services(current) if current else [],
            "given": given.order_by("-given_at")[:20],
            "errors": errors,
            "values": request.POST,
        },
        status=status,
    )


@login_required
def shortlist_pdf(request, shortlist_id: int):
    shortlist = get_object_or_404(Shortlist, pk=shortlist_id)
    _, person = _person(request, shortlist.person_id, "directory shortlist pdf")
    return shortlist_pdf_response(shortlist, person)
