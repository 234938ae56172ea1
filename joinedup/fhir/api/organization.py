"""Organization and PractitionerRole: directory data, about no person."""

from ninja import Query

from joinedup.core.models import Membership, Organisation

from .. import resources as R
from ._common import FhirError, _by_id, _membership, _search_ids, _shown, api
from .search import Search


@api.get("/Organization/{organisation_id}", summary="Read an Organization", response=dict)
def read_organization(request, organisation_id: str):
    _membership(request)
    org = _by_id(Organisation.objects.all(), organisation_id, "Organization")
    return _shown(request, R.organization(org))


@api.get("/Organization", summary="Search Organizations", response=dict)
def search_organization(
    request,
    identifier: str | None = None,
    name: str | None = None,
    count: int | None = Query(None, alias="_count"),
):
    search = Search(request, "identifier", "name")
    _membership(request)
    orgs = Organisation.objects.all()
    if identifier:
        orgs = orgs.filter(ods_code=identifier.rpartition("|")[2])
    if name:
        orgs = orgs.filter(name__icontains=name)
    found, total = search.page(orgs)
    return _shown(request, search.bundle([R.organization(o) for o in found], total=total))


@api.get("/PractitionerRole/{role_id}", summary="Read a PractitionerRole", response=dict)
def read_practitioner_role(request, role_id: str):
    _membership(request)
    found = _by_id(
        Membership.objects.select_related("user", "organisation"), role_id, "PractitionerRole"
    )
    return _shown(request, R.practitioner_role(found))


@api.get("/PractitionerRole", summary="Search PractitionerRoles", response=dict)
def search_practitioner_role(
    request,
    organization: str | None = None,
    count: int | None = Query(None, alias="_count"),
):
    search = Search(request, "organization")
    _membership(request)
    roles = Membership.objects.filter(active=True).select_related("user", "organisation")
    if organization:
        roles = roles.filter(
            organisation_id__in=_search_ids(organization.removeprefix("Organization/"))
        )
    found, total = search.page(roles)
    return _shown(request, search.bundle([R.practitioner_role(m) for m in found], total=total))


def _staff():
    """Staff with a role anywhere (the people behind PractitionerRoles)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=Membership.objects.values("user_id"))


@api.get("/Practitioner/{practitioner_id}", summary="Read a Practitioner", response=dict)
def read_practitioner(request, practitioner_id: str):
    _membership(request)
    return _shown(request, R.practitioner(_by_id(_staff(), practitioner_id, "Practitioner")))


@api.get("/Practitioner", summary="Search Practitioners", response=dict)
def search_practitioner(
    request,
    identifier: str | None = None,
    count: int | None = Query(None, alias="_count"),
):
    search = Search(request, "identifier")
    _membership(request)
    staff = _staff()
    if identifier:
        system, _, value = identifier.rpartition("|")
        if system and system != R.user_system():
            raise FhirError(400, "not-supported", "Only joinedup user names are identifiers here")
        staff = staff.filter(username=value)
    found, total = search.page(staff)
    return _shown(request, search.bundle([R.practitioner(u) for u in found], total=total))
