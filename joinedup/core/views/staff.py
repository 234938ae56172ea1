"""Organisation administration: an organisation's staff and teams, for its admins (and
system admins, for any organisation); and the page where staff set their password from
an emailed link."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from joinedup.core import actions, tokens
from joinedup.core.forms import error_messages
from joinedup.core.models import Membership, Organisation, Role, Team, in_a_sentence
from joinedup.core.permissions import may_administer_staff, roles_for

PAGE_SIZE = 25
STATUSES = {"": "Everyone", "active": "Active", "deactivated": "Deactivated"}


def _organisation(request, organisation_id: int) -> Organisation:
    """The organisation in the address, if the acting member of staff administers it."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not may_administer_staff(request.membership, organisation):
        raise PermissionDenied("Only the organisation's admins can manage its staff")
    return organisation


def _member(request, organisation_id: int, membership_id: int):
    organisation = _organisation(request, organisation_id)
    member = get_object_or_404(
        Membership.objects.select_related("user", "team", "organisation"),
        pk=membership_id,
        organisation=organisation,
    )
    return organisation, member


def _team_choice(data, organisation: Organisation, errors: dict) -> Team | None:
    value = str(data.get("team", "") or "").strip()
    if not value:
        return None
    team = (
        Team.objects.filter(pk=value, organisation=organisation).first()
        if value.isdecimal() and len(value) < 19
        else None
    )
    if team is None:
        errors["team"] = "Choose a team from the list"
    return team


def _role_items(organisation: Organisation, current: str = "") -> list[tuple[str, str]]:
    roles = roles_for(organisation)
    if current and current not in roles:
        roles = [current, *roles]
    return [(role, Role(role).label) for role in roles]


def _site(request) -> str:
    return request.build_absolute_uri("/")


@login_required
@require_GET
def staff_home(request):
    """The staff pages: an organisation admin's own organisation; system admins choose."""
    membership = request.membership
    if not may_administer_staff(membership):
        raise PermissionDenied("The staff pages are for organisation admins")
    if membership.role != Role.SYSTEM_ADMIN:
        return redirect("core:staff", membership.organisation_id)
    chosen = str(request.GET.get("organisation", "") or "")
    if chosen.isdecimal() and Organisation.objects.filter(pk=chosen).exists():
        return redirect("core:staff", int(chosen))
    return render(
        request,
        "core/staff_home.jinja",
        {
            "organisations": Organisation.objects.order_by("name").values_list("pk", "name"),
            "error": "Choose an organisation from the list" if chosen else "",
            "acting": membership.organisation_id,
        },
        status=400 if chosen else 200,
    )


@login_required
@require_GET
def staff(request, organisation_id: int):
    """Everyone with a membership of the organisation, searchable, 25 a page."""
    organisation = _organisation(request, organisation_id)
    # Printable text only: a NUL cannot even be sent to PostgreSQL.
    text = "".join(c for c in (request.GET.get("q") or "") if c.isprintable()).strip()[:100]
    status = request.GET.get("status", "")
    if status not in STATUSES:
        status = ""
    members = Membership.objects.filter(organisation=organisation).select_related("user", "team")
    for word in text.split():
        members = members.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__username__icontains=word)
            | Q(user__email__icontains=word)
        )
    if status:
        members = members.filter(active=status == "active")
    members = members.order_by("-active", "user__last_name", "user__first_name", "role", "pk")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/staff.jinja",
        {
            "organisation": organisation,
            "page": page,
            "text": text,
            "status": status,
            "statuses": STATUSES,
            "query": urlencode({"q": text, "status": status}),
        },
    )


@login_required
def staff_add(request, organisation_id: int):
    """Add a member of staff; someone new is emailed a link to set their password."""
    organisation = _organisation(request, organisation_id)
    errors: dict[str, str] = {}
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        team = _team_choice(request.POST, organisation, errors)
        if not errors:
            try:
                added = actions.add_staff_member(
                    by=request.user,
                    membership=request.membership,
                    organisation=organisation,
                    username=request.POST.get("username", ""),
                    first_name=request.POST.get("first_name", ""),
                    last_name=request.POST.get("last_name", ""),
                    email=request.POST.get("email", ""),
                    role=request.POST.get("role", ""),
                    team=team,
                    site=_site(request),
                )
            except ValidationError as exc:
                errors = error_messages(exc)
            else:
                member = added.membership
                person, role = member.user, in_a_sentence(member.get_role_display())
                if added.new_account:
                    note = (
                        f"{person} added as {role}. We have emailed {person.email} a link to "
                        "set their password: it works once, for the next few days."
                    )
                else:
                    note = (
                        f"{person} already had a joinedup account ({person.username}), so "
                        f"they now work for {organisation.name} as {role} too. They sign in "
                        "with the password they have."
                    )
                messages.success(request, note)
                return redirect("core:staff-member", organisation.pk, member.pk)
    return render(
        request,
        "core/staff_add.jinja",
        {
            "organisation": organisation,
            "errors": errors,
            "values": values,
            "roles": _role_items(organisation),
            "teams": list(organisation.teams.order_by("name").values_list("pk", "name")),
        },
        status=400 if errors else 200,
    )


@login_required
def staff_member(request, organisation_id: int, membership_id: int):
    """One member of staff: their details; change their role or team; a new link to set
    their password."""
    organisation, member = _member(request, organisation_id, membership_id)
    errors: dict[str, str] = {}
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST" and request.POST.get("form") == "link":
        try:
            actions.send_set_password_link(
                by=request.user, membership=request.membership, member=member, site=_site(request)
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(
                request, f"We have emailed {member.user.email} a new link to set their password."
            )
            return redirect("core:staff-member", organisation.pk, member.pk)
    elif request.method == "POST":
        team = _team_choice(request.POST, organisation, errors)
        if not errors:
            try:
                member = actions.change_membership(
                    by=request.user,
                    membership=request.membership,
                    member=member,
                    role=request.POST.get("role", ""),
                    team=team,
                )
            except ValidationError as exc:
                errors = error_messages(exc)
            else:
                where = f" in {member.team.name}" if member.team else ", in no team"
                messages.success(
                    request,
                    f"Saved: {member.user} is {in_a_sentence(member.get_role_display())}{where}.",
                )
                return redirect("core:staff-member", organisation.pk, member.pk)
    others = (
        Membership.objects.filter(user=member.user, organisation=organisation)
        .exclude(pk=member.pk)
        .order_by("role")
    )
    return render(
        request,
        "core/staff_member.jinja",
        {
            "organisation": organisation,
            "member": member,
            "others": others,
            "errors": errors,
            "values": values,
            "roles": _role_items(organisation, member.role),
            "teams": list(organisation.teams.order_by("name").values_list("pk", "name")),
            "is_self": member.user_id == request.user.pk,
        },
        status=400 if errors else 200,
    )


@login_required
def staff_access(request, organisation_id: int, membership_id: int):
    """Deactivate someone (at once, with a reason), or let them work here again."""
    organisation, member = _member(request, organisation_id, membership_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        change = (
            actions.reactivate_membership if not member.active else actions.deactivate_membership
        )
        try:
            member = change(
                by=request.user,
                membership=request.membership,
                member=member,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            errors = error_messages(exc, "reason")
        else:
            if member.active:
                note = f"{member.user} can work for {organisation.name} again."
            else:
                note = (
                    f"{member.user} can no longer work for {organisation.name}: "
                    "from their next click they are signed out of it."
                )
            messages.success(request, note)
            return redirect("core:staff-member", organisation.pk, member.pk)
    return render(
        request,
        "core/staff_access.jinja",
        {
            "organisation": organisation,
            "member": member,
            "errors": errors,
            "reason": request.POST.get("reason", "") if request.method == "POST" else "",
            "is_self": member.user_id == request.user.pk,
        },
        status=400 if errors else 200,
    )


@login_required
def teams(request, organisation_id: int):
    """The organisation's teams, with how many active staff each has; add a team."""
    organisation = _organisation(request, organisation_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            team = actions.create_team(
                by=request.user, organisation=organisation, name=request.POST.get("name", "")
            )
        except ValidationError as exc:
            errors = error_messages(exc, "name")
        else:
            messages.success(request, f"Team {team.name} added.")
            return redirect("core:teams", organisation.pk)
    listed = organisation.teams.annotate(
        members=Count("membership", filter=Q(membership__active=True))
    ).order_by("name")
    return render(
        request,
        "core/teams.jinja",
        {
            "organisation": organisation,
            "teams": listed,
            "errors": errors,
            "name": request.POST.get("name", "") if request.method == "POST" else "",
        },
        status=400 if errors else 200,
    )


def set_password(request):
    """Set a password from the emailed link: it works once, and only for a while."""
    uidb64, token = str(request.GET.get("user", "")), str(request.GET.get("token", ""))
    user = tokens.user_for_set_password_link(uidb64, token)
    errors: dict[str, str] = {}
    if user is not None and request.method == "POST":
        try:
            actions.set_password_from_link(
                uidb64=uidb64,
                token=token,
                password=request.POST.get("password", ""),
                password_again=request.POST.get("password_again", ""),
            )
        except ValidationError as exc:
            errors = error_messages(exc, "password")
        else:
            messages.success(
                request, f"Your password is set. Sign in with your username, {user.username}."
            )
            return redirect(reverse("core:sign-in"))
    return render(
        request,
        "core/set_password.jinja",
        {"link_user": user, "errors": errors},
        status=404 if user is None else (400 if errors else 200),
    )
