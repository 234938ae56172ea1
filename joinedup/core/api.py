"""The JSON API: one NinjaAPI under /api/, bearer tokens from ``joinedup token create``.

Each app adds a router here (people now; FHIR, directory and population later). The
OpenAPI description is at /api/openapi.json.
"""

from django.db.models import Q
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from . import tokens
from .middleware import act_as
from .models import ApiToken, Membership


class BearerToken(HttpBearer):
    """Accepts a token made by ``joinedup token create``; acts as its user for its
    organisation (the first active membership there)."""

    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.filter(
                token_hash=tokens.digest(token), revoked_at=None, user__is_active=True
            )
            .select_related("user", "organisation")
            .first()
        )
        if found is None:
            return None
        membership = (
            Membership.objects.filter(
                Q(user=found.user) & Q(organisation=found.organisation) & Q(active=True)
            )
            .select_related("organisation")
            .order_by("role")
            .first()
        )
        if membership is None:
            return None
        request.user = found.user
        request.membership = membership
        act_as(membership)  # reset with the request's own (CurrentOrganisationMiddleware)
        return membership


api = NinjaAPI(
    title="joinedup API",
    version="1",
    description="Bearer tokens: `joinedup token create --user USERNAME`.",
    auth=BearerToken(),
    urls_namespace="api",
)


class Me(Schema):
    username: str
    name: str
    organisation: str
    ods_code: str | None
    role: str


@api.get("/me", response=Me, summary="Who this token acts as")
def me(request):
    membership = request.auth
    return Me(
        username=membership.user.username,
        name=membership.user.get_full_name(),
        organisation=membership.organisation.name,
        ods_code=membership.organisation.ods_code,
        role=membership.role,
    )


def register_routers() -> None:
    from joinedup.people.api import router as people_router

    api.add_router("/people", people_router)


register_routers()
