"""Shortlists a navigator gives a person."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import (
    Membership,
    User,
)
from joinedup.people.models import Person

from ..models import (
    Service,
    Shortlist,
    ShortlistItem,
)
from .curation import MAX_DETAIL

MAX_SHORTLIST = 20


def open_shortlist(*, membership: Membership, person: Person) -> Shortlist | None:
    """The shortlist this organisation is putting together for the person (not yet given)."""
    return (
        Shortlist.objects.filter(person=person, organisation=membership.organisation, given_at=None)
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def shortlist_add(*, by: User, membership: Membership, person: Person, service: Service):
    shortlist = open_shortlist(membership=membership, person=person)
    if shortlist is None:
        shortlist = Shortlist.objects.create(
            person=person,
            created_by=by,
            organisation=membership.organisation,
            created_at=timezone.now(),
        )
    if shortlist.items.count() >= MAX_SHORTLIST:
        raise ValidationError({"service": f"A shortlist holds {MAX_SHORTLIST} services at most"})
    ShortlistItem.objects.get_or_create(
        shortlist=shortlist, service=service, defaults={"added_at": timezone.now()}
    )
    return shortlist


def shortlist_remove(*, membership: Membership, shortlist: Shortlist, service: Service) -> None:
    if shortlist.organisation_id != membership.organisation_id or shortlist.given_at:
        raise PermissionDenied("This shortlist cannot be changed")
    ShortlistItem.objects.filter(shortlist=shortlist, service=service).delete()


@transaction.atomic
def give_shortlist(*, by: User, membership: Membership, shortlist: Shortlist, note: str):
    """Give the shortlist to the person: it is fixed, and they see it in the portal."""
    if shortlist.organisation_id != membership.organisation_id or shortlist.given_at:
        raise PermissionDenied("This shortlist cannot be changed")
    note = (note or "").strip()
    if len(note) > MAX_DETAIL:
        raise ValidationError({"note": f"Keep the note to {MAX_DETAIL:,} characters"})
    if not shortlist.items.exists():
        raise ValidationError({"note": "Add at least one service first"})
    shortlist.note = note
    shortlist.given_at = timezone.now()
    shortlist.save(update_fields=["note", "given_at"])
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="directory.shortlist_given",
        person_id=shortlist.person_id,
        object_type="shortlist",
        object_id=shortlist.pk,
    )
    return shortlist
