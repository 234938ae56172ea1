"""Puts the acting membership (user + organisation + role) on every request."""

from .models import Membership

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
        return self.get_response(request)
