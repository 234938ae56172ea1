"""Portal pages: signing in (separately from staff), setting up an account from an
invitation, and the resident's own plan. Every page reaches only the resident's own
record (``portal.access``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from joinedup.care import actions as care_actions
from joinedup.care import conversations
from joinedup.care import plans as care_plans
from joinedup.care.documents import plan_document_context, plan_pdf
from joinedup.care.models import CarePlan
from joinedup.core.forms import date_field, error_messages
from joinedup.core.jinja_env import age
from joinedup.directory import queries as directory_queries
from joinedup.directory import views as directory_views
from joinedup.directory.models import Shortlist

from . import access, actions


def sign_in(request):
    errors, email = {}, ""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        email = request.POST.get("email", "")
        try:
            account = actions.check_sign_in(email=email, password=request.POST.get("password", ""))
        except PermissionDenied as exc:
            errors = {"email": str(exc)}
        except ValidationError as exc:
            errors = error_messages(exc, "email")
        else:
            safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
            target = next_url if safe and next_url.startswith("/portal/") else "/portal/"
            if account.totp_key:
                # Half signed in: the code comes next (nothing else opens meanwhile).
                request.session.cycle_key()
                request.session[PENDING] = {"account": account.pk, "next": target}
                return redirect("portal:sign-in-code")
            access.start_session(request, account)
            return redirect(target)
    return render(
        request,
        "portal/sign_in.jinja",
        {"errors": errors, "email": email, "next": next_url},
        status=400 if errors else 200,
    )


@require_POST
def sign_out(request):
    access.end_session(request)
    return redirect("portal:sign-in")


def join(request, token: str):
    """Set up an account from an invitation link (single use, expiring)."""
    errors, problem, invitation = {}, "", None
    try:
        invitation = actions.open_invitation(token)
    except ValidationError as exc:
        problem = exc.messages[0]
    if invitation is not None and request.method == "POST":
        try:
            account = actions.accept_invitation(
                token=token,
                password=request.POST.get("password", ""),
                password_again=request.POST.get("password_again", ""),
            )
        except ValidationError as exc:
            errors = error_messages(exc, "password")
        else:
            access.start_session(request, account)
            return redirect("portal:home")
    return render(
        request,
        "portal/join.jinja",
        {"invitation": invitation, "problem": problem, "errors": errors},
        status=404 if problem else (400 if errors else 200),
    )


@access.resident_required
def home(request):
    """My own plan (if I am a resident) and, clearly apart, the people who shared theirs
    with me (if I care for someone)."""
    person = request.resident.person
    if person is not None:
        actions.record_resident_view(account=request.resident, page="home")
    return render(
        request,
        "portal/home.jinja",
        {
            "person": person,
            "name": person.given_name if person else request.resident.display_name,
            "plan": CarePlan.objects.filter(person=person).first() if person else None,
            "helping": access.live_grants(request.resident),
            "new_replies": conversations.new_for_person(person) if person else 0,
        },
    )


def _own_plan_page(request, page: str, respond):
    """The resident's own plan, audited, given to ``respond``; home if they have none."""
    person = access.own_person(request)
    plan = CarePlan.objects.filter(person=person).first()
    if plan is None:
        return redirect("portal:home")
    actions.record_resident_view(account=request.resident, page=page)
    return respond(plan_document_context(plan, person))


@access.resident_required
def plan(request):
    """The resident's own plan; under each action, where a referral made from it has got."""
    return _own_plan_page(
        request,
        "plan",
        lambda context: render(
            request,
            "portal/plan.jinja",
            {
                **context,
                "referrals": directory_queries.referrals_by_plan_action(context["person"]),
                "service_url": "portal:service",
            },
        ),
    )


@access.resident_required
def plan_easy_read(request):
    return _own_plan_page(
        request,
        "plan easy read",
        lambda context: render(request, "portal/plan_easy_read.jinja", context),
    )


def _pdf(context) -> HttpResponse:
    response = HttpResponse(
        plan_pdf(context["plan"], context["person"]), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'attachment; filename="my-care-plan.pdf"'
    return response


@access.resident_required
def plan_download(request):
    return _own_plan_page(request, "plan pdf", _pdf)


def _own_plan(request):
    plan = CarePlan.objects.filter(person=access.own_person(request)).first()
    if plan is None:
        raise Http404("No plan yet")
    return plan


@access.resident_required
def change_section(request, section: str):
    """The resident changes "About me" or how, when and where they are seen."""
    if section not in care_actions.PERSON_SECTIONS:
        raise Http404("Not a part you can change")
    person = access.own_person(request)
    plan = _own_plan(request)
    spec = care_plans.SECTION_BY_KEY[section]
    stored = care_actions.current_content(plan).get(section) or {}
    values = {f"{section}-{k}": v for k, v in stored.items()}
    errors, status, base_version = {}, 200, plan.version
    if request.method == "POST":
        base_version = _int(request.POST.get("base_version"))
        try:
            care_actions.person_changes_plan(
                person=person,
                plan=plan,
                base_version=base_version,
                change=section,
                data=request.POST,
            )
            messages.success(
                request,
                f"Saved: your changes to “{spec.title}”. Your care team will see this: "
                "your main contact is told that you changed your plan.",
            )
            return redirect("portal:plan")
        except care_actions.StaleEdit as exc:
            errors, status = {"form": exc.messages[0]}, 409
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
            values = {
                k: v if len(v) > 1 or k.endswith("-where") else v[0]
                for k, v in request.POST.lists()
            }
    return render(
        request,
        "portal/plan_section.jinja",
        {"section": spec, "values": values, "errors": errors, "base_version": base_version},
        status=status,
    )


@access.resident_required
def goal_progress(request, goal_id: str):
    """The resident records how one of their goals is going, in their own words."""
    person = access.own_person(request)
    plan = _own_plan(request)
    goal = next(
        (
            g
            for g in care_actions.current_content(plan).get("goals") or []
            if g.get("id") == goal_id
        ),
        None,
    )
    if goal is None:
        raise Http404("Not found")
    errors, status, values = {}, 200, dict(goal)
    if request.method == "POST":
        values = {**goal, **request.POST.dict()}
        try:
            care_actions.person_changes_plan(
                person=person,
                plan=plan,
                base_version=_int(request.POST.get("base_version")),
                change="goal",
                data=request.POST,
                item_id=goal_id,
            )
            messages.success(
                request,
                f"Saved: how your goal “{str(goal.get('text', ''))[:100]}” is going. Your "
                "care team will see this: your main contact is told that you changed your plan.",
            )
            return redirect("portal:plan")
        except ValidationError as exc:
            errors, status = (
                error_messages(exc, "progress"),
                409 if isinstance(exc, care_actions.StaleEdit) else 400,
            )
    return render(
        request,
        "portal/goal.jinja",
        {
            "goal": goal,
            "values": values,
            "errors": errors,
            "base_version": plan.version,
            "goal_progress": care_plans.GOAL_PROGRESS,
        },
        status=status,
    )


def _thread_page(request, *, person, as_carer: bool, page: str, context: dict):
    """The person's conversation with their care team, and the form to write to it."""
    errors, status, text = {}, 200, ""
    if request.method == "POST":
        text = request.POST.get("message", "")
        try:
            conversations.write_from_person(
                person=person,
                account=request.resident,
                text=text,
                as_carer=as_carer,
                site=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            errors, status = error_messages(exc, "message"), 400
        else:
            messages.success(
                request,
                "Sent. Your care team will see your message and reply here. "
                "We will email you when they do.",
            )
            return redirect(request.path)
    actions.record_resident_view(account=request.resident, page=page)
    if as_carer:
        actions.record_carer_view(grant=context["grant"], what="messages")
    conversation = conversations.thread_of(person)
    items = conversations.messages_of(conversation)[-200:]
    read_at = conversation.person_read_at if conversation else None
    if not as_carer:
        conversations.mark_read(conversation=conversation, by_care_team=False)
    return render(
        request,
        "portal/message.jinja",
        {
            **context,
            "person": person,
            "as_carer": as_carer,
            "items": items,
            "read_at": read_at,
            "errors": errors,
            "text": text,
            "max_message": conversations.MAX_MESSAGE,
            "has_care_team": conversations.has_care_team(person),
        },
        status=status,
    )


@access.resident_required
def message(request):
    """My conversation with my care team: what we wrote, and a form to write more."""
    person = access.own_person(request)
    return _thread_page(request, person=person, as_carer=False, page="messages", context={})


@access.resident_required
def proxy_messages(request, person_id: int):
    """A carer writes to the care team of someone who let them, and reads the replies."""
    grant = access.granted(request, person_id)
    if "messages" not in grant.sections:
        raise Http404("Not found")
    return _thread_page(
        request,
        person=grant.person,
        as_carer=True,
        page="proxy messages",
        context={"grant": grant},
    )


def _int(value) -> int:
    return int(value) if str(value or "").isdecimal() else 0


@access.resident_required
def my_data(request):
    """Who has looked at my record, my sharing choices, and how to complain or correct."""
    from joinedup.core.describe import describe, roles_for
    from joinedup.people.actions import set_sharing_choices
    from joinedup.people.queries import record_viewers

    person = access.own_person(request)
    saved = False
    if request.method == "POST":
        person = set_sharing_choices(
            by=None,
            membership=None,
            person=person,
            sensitive_sharing_consent=request.POST.get("sensitive_sharing_consent") == "yes",
            objects_to_sharing=request.POST.get("objects_to_sharing") == "yes",
        )
        saved = True
    actions.record_resident_view(account=request.resident, page="my data")
    events = list(record_viewers(person.pk).filter(user__isnull=False)[:200])
    roles = roles_for(events)
    looks = [describe(e, to_person=True, roles=roles) for e in events]
    return render(
        request, "portal/my_data.jinja", {"person": person, "looks": looks, "saved": saved}
    )


@access.resident_required
def find_support(request):
    """The service directory, searched from the resident's own postcode and age."""
    person = request.resident.person
    defaults = {}
    if person is not None:
        defaults = {"postcode": person.postcode, "age": str(age(person.birth_date))}
    context = directory_views.search_context(request, defaults=defaults, person=person)
    context["shortlists"] = (
        Shortlist.objects.filter(person=person, given_at__isnull=False)
        .select_related("organisation")
        .order_by("-given_at")[:10]
        if person is not None
        else []
    )
    return render(request, "portal/find_support.jinja", context)


@access.resident_required
def shortlist_pdf(request, shortlist_id: int):
    """A shortlist the care team gave the resident (their own only)."""
    person = access.own_person(request)
    shortlist = Shortlist.objects.filter(
        pk=shortlist_id, person=person, given_at__isnull=False
    ).first()
    if shortlist is None:
        raise Http404("Not found")
    actions.record_resident_view(account=request.resident, page="shortlist")
    return directory_views.shortlist_pdf_response(shortlist, person)


@access.resident_required
def service(request, oruk_id: str):
    context = directory_views.service_context(oruk_id)
    report_url = reverse("portal:report", args=[oruk_id])
    return render(request, "portal/service.jinja", {**context, "report_url": report_url})


@access.resident_required
def report(request, oruk_id: str):
    return directory_views.problem_form(
        request,
        directory_views.service_context(oruk_id)["service"],
        resident=True,
        template="portal/report.jinja",
        done_url=reverse("portal:service", args=[oruk_id]),
    )


# ---------------------------------------------------------------------------------------
# Carers


@access.resident_required
def carers(request):
    """Give a named carer or family member access to parts of my plan; take it away."""
    from .models import PROXY_SECTIONS, ProxyGrant

    person = access.own_person(request)
    errors, values, sent = {}, {}, None
    if request.method == "POST" and request.POST.get("form") == "revoke":
        actions.revoke_proxy(account=request.resident, grant_id=_int(request.POST.get("grant")))
        return redirect("portal:carers")
    if request.method == "POST":
        values = request.POST
        try:
            sent = actions.grant_proxy(
                account=request.resident,
                name=values.get("name", ""),
                email=values.get("email", ""),
                sections=values.getlist("sections"),
                until=date_field(values, "until", "End date"),
                link_base=request.build_absolute_uri("/portal/proxy/"),
            )
            values = {}
        except ValidationError as exc:
            errors = error_messages(exc)
    grants = ProxyGrant.objects.filter(person=person, revoked_at=None).order_by("-created_at")
    return render(
        request,
        "portal/carers.jinja",
        {
            "grants": grants,
            "section_labels": dict(PROXY_SECTIONS),
            "section_choices": PROXY_SECTIONS,
            "values": values,
            "errors": errors,
            "sent": sent,
        },
        status=400 if errors else 200,
    )


def accept_proxy(request, token: str):
    """A carer accepts the access a resident gave them."""
    errors, problem, grant = {}, "", None
    try:
        grant = actions.open_proxy_link(token)
    except ValidationError as exc:
        problem = exc.messages[0]
    if grant is not None and request.method == "POST":
        try:
            account = actions.accept_proxy(
                token=token,
                account=request.resident,
                password=request.POST.get("password", ""),
                password_again=request.POST.get("password_again", ""),
            )
        except ValidationError as exc:
            errors = error_messages(exc, "password")
        else:
            if request.resident is None:
                access.start_session(request, account)
            return redirect("portal:home")
    return render(
        request,
        "portal/proxy_accept.jinja",
        {"grant": grant, "problem": problem, "errors": errors},
        status=404 if problem else (400 if errors else 200),
    )


@access.resident_required
def proxy_plan(request, person_id: int):
    """What a resident shared with me, and nothing else."""
    grant = access.granted(request, person_id)
    plan = CarePlan.objects.filter(person_id=person_id).first()
    context = plan_document_context(plan, grant.person) if plan else {"person": grant.person}
    actions.record_resident_view(account=request.resident, page="proxy plan")
    actions.record_carer_view(grant=grant, what="view")
    return render(request, "portal/proxy_plan.jinja", {**context, "grant": grant})


PENDING = "joinedup_resident_pending"


def sign_in_code(request):
    """The second step for residents who turned on two-factor sign-in."""
    from .models import ResidentAccount

    pending = request.session.get(PENDING)
    account = (
        ResidentAccount.objects.filter(pk=pending["account"], active=True).first()
        if pending
        else None
    )
    if account is None:
        return redirect("portal:sign-in")
    errors = {}
    if request.method == "POST":
        if actions.totp_matches(account.totp_key, request.POST.get("code", "")):
            target = pending["next"]
            access.start_session(request, account)
            return redirect(target)
        errors = {"code": "That code is not right: enter the 6 digits your app shows now"}
    return render(
        request, "portal/sign_in_code.jinja", {"errors": errors}, status=400 if errors else 200
    )


@access.resident_required
def two_factor(request):
    """Turn on two-factor sign-in with an authenticator app."""
    import segno

    account = request.resident
    if account.totp_key:
        return render(request, "portal/two_factor.jinja", {"on": True})
    key = request.session.get("joinedup_resident_new_totp") or actions.new_totp_key()
    request.session["joinedup_resident_new_totp"] = key
    errors = {}
    if request.method == "POST":
        try:
            actions.turn_on_two_factor(account=account, key_hex=key, code=request.POST.get("code"))
        except ValidationError as exc:
            errors = error_messages(exc, "code")
        else:
            request.session.pop("joinedup_resident_new_totp", None)
            return render(request, "portal/two_factor.jinja", {"on": True, "just_now": True})
    link = actions.totp_url(account, key)
    return render(
        request,
        "portal/two_factor.jinja",
        {
            "qr_svg": segno.make(link).svg_inline(scale=4),
            "secret": link.split("secret=")[1].split("&")[0],
            "errors": errors,
        },
        status=400 if errors else 200,
    )
