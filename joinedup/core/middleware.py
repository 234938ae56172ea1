"""Puts the acting membership (user + organisation + role) on every request, and makes it
the one the audit trail names for whatever the request does (``acting_membership``)."""

from contextvars import ContextVar

from .models import Membership

_acting: ContextVar[Membership | None] = ContextVar("acting_membership", default=None)


def acting_membership() -> Membership | None:
    """The membership the current request acts as (None outside a request: a command, a
    background job, a member of the public or a resident)."""
    return _acting.get()


def act_as(membership: Membership | None):
    """Make ``membership`` the acting one until the returned token is reset."""
    return _acting.set(membership)


SESSION_KEY = "joinedup_membership_id"


def current_membership(request) -> Membership | None:
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=user, active=True).select_related("organisation")
    chosen = request.session.get(SESSION_KEY)
    if chosen:
        membership = memberships.filter(pk=chosen).first()
        if membership:
            return membership
    return memberships.order_by("organisation__name", "role").first()


class CurrentOrganisationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = current_membership(request)
        token = act_as(request.membership)
        try:
            return self.get_response(request)
        finally:
            _acting.reset(token)
