"""The one place that decides whether a member of staff may open a person's record.

A record is reached only through a legitimate relationship between the acting
membership (user + organisation + role) and the person. Foundation relationships:

- ``registered_practice``: the person is registered at the user's GP practice;
- ``break_glass``: an audited, time-limited emergency opening with a typed reason.

Apps built on ``people`` (care teams, referrals, carer proxies) add theirs with
:func:`register_relationship`, so ``people`` never imports them.

Example::

    person = get_person_for(membership, person_id)   # raises PermissionDenied
    visible = accessible_people(membership)           # a Person queryset
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from joinedup.core.models import Membership, OrganisationType, Role
from joinedup.core.permissions import gives_direct_care

from .models import BreakGlass, Person


@dataclass(frozen=True)
class Relationship:
    """A kind of legitimate relationship. ``people(membership)`` gives either a filter on
    Person (a ``Q``) or, better at scale, a queryset of person ids (``.values("person_id")``
    of the table that holds the relationship)."""

    name: str
    people: Callable[[Membership], Q | QuerySet]
    # Inferred from data (e.g. a caseload built from the population run) rather than made
    # with the person: it gives no access to someone who objects to sharing.
    inferred: bool = False

    def person_ids(self, membership: Membership) -> QuerySet:
        """The ids of the people this relationship gives (a subquery)."""
        found = self.people(membership)
        if isinstance(found, Q):
            found = Person.objects.filter(found, merged_into__isnull=True).values("pk")
        if self.inferred:
            field = found.query.values_select[0]
            objectors = Person.objects.filter(objects_to_sharing=True).values("pk")
            found = found.exclude(**{f"{field}__in": objectors})
        return found.order_by()  # no ORDER BY inside a UNION (SQLite refuses it)


_RELATIONSHIPS: dict[str, Relationship] = {}


def register_relationship(
    name: str, people: Callable[[Membership], Q | QuerySet], *, inferred: bool = False
) -> None:
    """Add a kind of legitimate relationship (called from an app's ``ready()``);
    ``inferred`` for one found in data rather than made with the person, which a
    person's objection to sharing switches off."""
    _RELATIONSHIPS[name] = Relationship(name=name, people=people, inferred=inferred)


def _registered_practice(membership: Membership) -> Q:
    return Q(registered_practice_id=membership.organisation_id)


def _break_glass(membership: Membership) -> QuerySet:
    return BreakGlass.objects.filter(
        user_id=membership.user_id,
        organisation_id=membership.organisation_id,
        expires_at__gt=timezone.now(),
    ).values("person_id")


register_relationship("registered_practice", _registered_practice)
register_relationship("break_glass", _break_glass)


def access_basis(membership: Membership | None, person_id: int) -> str | None:
    """The first relationship that lets ``membership`` open this person, or None."""
    if not gives_direct_care(membership):
        return None
    for relationship in _RELATIONSHIPS.values():
        allowed = Person.objects.filter(
            pk=person_id, pk__in=relationship.person_ids(membership), merged_into__isnull=True
        )
        if allowed.exists():
            return relationship.name
    return None


def merged_into(person_id: int) -> int | None:
    """The record this one was merged into, if it was (pages follow it there)."""
    return Person.objects.filter(pk=person_id).values_list("merged_into_id", flat=True).first()


def accessible_people(membership: Membership | None) -> QuerySet[Person]:
    """Every person the membership may open, by any relationship."""
    if not gives_direct_care(membership):
        return Person.objects.none()
    return Person.objects.filter(pk__in=accessible_person_ids(membership))


def accessible_person_ids(membership: Membership | None):
    """The ids of every person the membership may open (a subquery for ``__in``; may
    list someone twice). One id list per relationship, UNION ALL'd: an OR of
    IN-subqueries makes the database scan every resident, while each part alone uses
    its index."""
    if not gives_direct_care(membership):
        return Person.objects.none().values("pk")
    first, *rest = [r.person_ids(membership) for r in _RELATIONSHIPS.values()]
    return first.union(*rest, all=True)


class MergedRecord(PermissionDenied):
    """The record was merged into another that the membership may open: pages answer with
    the survivor's page (``people.middleware.MergedRecordMiddleware``); anything else
    treats it as the refusal it also is."""

    def __init__(self, survivor_id: int):
        super().__init__(f"This record has been merged into record {survivor_id}")
        self.survivor_id = survivor_id


def get_person_for(membership: Membership | None, person_id: int) -> tuple[Person, str]:
    """Load a person the membership may open, with the basis; else PermissionDenied
    (:class:`MergedRecord` when it was merged into a record the membership may open)."""
    basis = access_basis(membership, person_id)
    if basis is None:
        survivor = merged_into(person_id)
        while survivor and (further := merged_into(survivor)):  # a survivor merged in turn
            survivor = further
        if survivor and access_basis(membership, survivor) is not None:
            raise MergedRecord(survivor)
        raise PermissionDenied("No legitimate relationship with this person")
    person = Person.objects.select_related(
        "registered_practice__neighbourhood__network", "lsoa"
    ).get(pk=person_id)
    return person, basis


def accessible_among(membership: Membership | None, person_ids) -> set[int]:
    """Which of these people the membership may open: the same rule as
    ``accessible_person_ids``, asked only about the given ids — a list, or better a
    subquery of ids (each relationship then reads its index for a few hundred ids
    instead of listing everyone it allows)."""
    if not gives_direct_care(membership):
        return set()
    parts = []
    for relationship in _RELATIONSHIPS.values():
        ids = relationship.person_ids(membership)
        field = ids.query.values_select[0]
        parts.append(ids.filter(**{f"{field}__in": person_ids}))
    first, *rest = parts
    return {next(iter(row.values())) for row in first.union(*rest, all=True)}


def bases_among(membership: Membership | None, person_ids: list[int]) -> dict[int, str]:
    """{person id: the first relationship that opens them} for those of ``person_ids`` the
    membership may open: the same answer as ``access_basis`` for each, in one query per
    kind of relationship rather than per person (a page of search results)."""
    if not gives_direct_care(membership) or not person_ids:
        return {}
    found: dict[int, str] = {}
    live = set(
        Person.objects.filter(pk__in=person_ids, merged_into__isnull=True).values_list(
            "pk", flat=True
        )
    )
    for relationship in _RELATIONSHIPS.values():
        wanted = [pk for pk in person_ids if pk in live and pk not in found]
        if not wanted:
            break
        ids = relationship.person_ids(membership)
        field = ids.query.values_select[0]
        for pk in ids.filter(**{f"{field}__in": wanted}).values_list(field, flat=True):
            found.setdefault(pk, relationship.name)
    return found


def trace_people() -> QuerySet[Person]:
    """All residents, for demographic tracing by exact NHS number or surname and date of
    birth only (as a spine trace would). Callers show identifying details only, never the
    record, and offer break-glass where there is no relationship."""
    return Person.objects.filter(merged_into__isnull=True)


# Sensitive sections (mental and emotional wellbeing, mental health conditions,
# safeguarding) are for those with a routine need; roles without one see them only with
# the person's consent. An audited break-glass shows everything.
NO_ROUTINE_NEED_ROLES = frozenset({Role.VOLUNTARY_WORKER})


def needs_consent_for_sensitive(membership: Membership) -> bool:
    """Voluntary-sector workers, and anyone working for a voluntary organisation."""
    return (
        membership.role in NO_ROUTINE_NEED_ROLES
        or membership.organisation.type == OrganisationType.VOLUNTARY
    )


def sees_sensitive(membership: Membership, person: Person, basis: str = "") -> bool:
    """May this membership, which has opened the person's record on ``basis``, see the
    person's sensitive sections?"""
    if basis == "break_glass":
        return True
    return not needs_consent_for_sensitive(membership) or person.sensitive_sharing_consent
