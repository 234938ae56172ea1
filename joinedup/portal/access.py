"""Who is signed in to the portal, and the one rule of the portal: a resident reaches only
their own record. Resident sessions are kept apart from staff sessions: signing in as one
ends the other.

Every way of signing in ends in ``start_session(request, account)``: today a password
checked by ``actions.check_sign_in``; NHS login (OpenID Connect) will be a second way in
that matches the returned NHS number to an account and calls the same function (ADR 0009).
"""

import hashlib
import hmac
from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect

from .models import ResidentAccount

SESSION_KEY = "joinedup_resident_id"
SESSION_CHECK = "joinedup_resident_check"


def _check(account: ResidentAccount) -> str:
    """Changes when the password does, so a changed password ends other sessions."""
    return hmac.new(
        settings.SECRET_KEY.encode(), account.password.encode(), hashlib.sha256
    ).hexdigest()


def current_resident(request) -> ResidentAccount | None:
    account_id = request.session.get(SESSION_KEY)
    if not account_id:
        return None
    account = (
        ResidentAccount.objects.filter(pk=account_id, active=True).select_related("person").first()
    )
    if account is None or not hmac.compare_digest(
        request.session.get(SESSION_CHECK, ""), _check(account)
    ):
        request.session.pop(SESSION_KEY, None)
        return None
    return account


def start_session(request, account: ResidentAccount) -> None:
    """Sign a resident in: any staff session in this browser ends first."""
    logout(request)  # flushes the session: no staff sign-in survives
    request.session.cycle_key()
    request.session[SESSION_KEY] = account.pk
    request.session[SESSION_CHECK] = _check(account)


def end_session(request) -> None:
    request.session.flush()


def forget_resident_on_staff_sign_in(sender, request, user, **kwargs) -> None:
    """Signal receiver: a staff sign-in ends any resident session in the browser."""
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_CHECK, None)


class ResidentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.resident = current_resident(request) if hasattr(request, "session") else None
        return self.get_response(request)


def resident_required(view):
    """Portal pages: a signed-in resident, else the portal sign-in page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.resident is None:
            return redirect(f"{settings.PORTAL_SIGN_IN_URL}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapped


def own_person(request, person_id: int | None = None):
    """The signed-in resident's own record. Any other id is 'not found', whether or not
    it exists (no probing)."""
    person = request.resident.person
    if person is None or (person_id is not None and person_id != person.pk):
        raise Http404("Not found")
    return person


def live_grants(account: ResidentAccount):
    """The proxy grants this account holds that still work (accepted, not revoked, not
    past their end date)."""
    from django.utils import timezone

    from .models import ProxyGrant

    return ProxyGrant.objects.filter(
        account=account,
        revoked_at=None,
        accepted_at__isnull=False,
        until__gte=timezone.localdate(),
    ).select_related("person")


def granted(request, person_id: int):
    """The grant that lets the signed-in account see this person's plan; 'not found'
    otherwise (whether or not the person exists)."""
    grant = live_grants(request.resident).filter(person_id=person_id).first()
    if grant is None:
        raise Http404("Not found")
    return grant


def proxy_banner_facts(person, banner) -> None:
    """An alert in the staff patient banner while a carer holds online access to parts of
    the person's plan (so staff know who else reads what they write)."""
    from django.utils import timezone

    from joinedup.core.jinja_env import nhs_date

    from .models import ProxyGrant

    grants = ProxyGrant.objects.filter(
        person=person,
        revoked_at__isnull=True,
        accepted_at__isnull=False,
        until__gte=timezone.localdate(),
    ).order_by("until")
    for grant in grants:
        banner.alerts.append(
            (
                f"{grant.name} (carer) sees parts of the plan online until {nhs_date(grant.until)}",
                "blue",
            )
        )
