"""Helpers the care pages share: access checks, the person (audited) and form choices."""

from django.core.exceptions import PermissionDenied

from joinedup.core.models import LocalCareNetwork, Neighbourhood, User
from joinedup.core.permissions import gives_direct_care
from joinedup.people import access
from joinedup.people.actions import record_person_view

from .. import queries
from ..models import CarePlan


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


def _plan_for(person) -> CarePlan:
    plan = CarePlan.objects.filter(person=person).first()
    if plan is None:
        raise PermissionDenied("This person has no plan yet")
    return plan


def _areas(membership) -> list[tuple[str, str]]:
    places = membership.organisation.places.values("pk")
    networks = LocalCareNetwork.objects.filter(place__in=places).order_by("name")
    hoods = Neighbourhood.objects.filter(network__place__in=places).order_by("name")
    return [(f"lcn:{n.pk}", f"{n.name} (local care network)") for n in networks] + [
        (f"hood:{h.pk}", f"{h.name} (neighbourhood)") for h in hoods
    ]


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
