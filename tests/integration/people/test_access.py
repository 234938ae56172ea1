from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from joinedup.core.models import AuditEvent, Role
from joinedup.core.permissions import DIRECT_CARE_ROLES
from joinedup.people import access, actions
from joinedup.people.models import BreakGlass


@pytest.mark.parametrize("role", Role.values)
def test_each_role_at_practice_a(world, membership_of, role):
    """Staff of practice A see A's patients (direct-care roles only), never B's
    without breaking glass; non-care roles can neither see nor break glass."""
    mine = world.person(practice=world.practice_a)
    theirs = world.person(practice=world.practice_b, given_name="Bea")
    user = world.user(role, world.practice_a)
    membership = membership_of(user)
    cares = role in DIRECT_CARE_ROLES

    assert (access.access_basis(membership, mine.pk) == "registered_practice") is cares
    assert access.access_basis(membership, theirs.pk) is None
    with pytest.raises(PermissionDenied):
        access.get_person_for(membership, theirs.pk)
    assert set(access.accessible_people(membership)) == ({mine} if cares else set())

    if cares:
        actions.break_glass(
            by=user, membership=membership, person_id=theirs.pk, reason="Attending A&E, unconscious"
        )
        person, basis = access.get_person_for(membership, theirs.pk)
        assert (person, basis) == (theirs, "break_glass")
        event = AuditEvent.objects.get(action="person.break_glass")
        assert (event.user, event.person_id, event.reason) == (
            user,
            theirs.pk,
            "Attending A&E, unconscious",
        )
    else:
        with pytest.raises(PermissionDenied):
            actions.break_glass(
                by=user,
                membership=membership,
                person_id=theirs.pk,
                reason="Attending A&E, unconscious",
            )
        assert not BreakGlass.objects.exists()


def test_break_glass_needs_a_reason(world, membership_of):
    theirs = world.person(practice=world.practice_b)
    user = world.user(Role.GP, world.practice_a)
    with pytest.raises(ValidationError, match="at least 10 characters"):
        actions.break_glass(
            by=user, membership=membership_of(user), person_id=theirs.pk, reason="  urgent  "
        )
    assert not AuditEvent.objects.filter(action="person.break_glass").exists()


def test_break_glass_expires(world, membership_of):
    theirs = world.person(practice=world.practice_b)
    user = world.user(Role.GP, world.practice_a)
    membership = membership_of(user)
    grant = actions.break_glass(
        by=user, membership=membership, person_id=theirs.pk, reason="Home visit, patient collapsed"
    )
    assert access.access_basis(membership, theirs.pk) == "break_glass"
    BreakGlass.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert access.access_basis(membership, theirs.pk) is None


def test_break_glass_is_for_the_user_and_organisation_that_broke_it(world, membership_of):
    theirs = world.person(practice=world.practice_b)
    breaker = world.user(Role.GP, world.practice_a)
    colleague = world.user(Role.GP, world.practice_a)
    actions.break_glass(
        by=breaker,
        membership=membership_of(breaker),
        person_id=theirs.pk,
        reason="Emergency admission today",
    )
    assert access.access_basis(membership_of(colleague), theirs.pk) is None


def test_inactive_membership_sees_nothing(world, membership_of):
    mine = world.person()
    user = world.user(Role.GP, world.practice_a)
    membership = membership_of(user)
    membership.active = False
    assert access.access_basis(membership, mine.pk) is None
    assert access.access_basis(None, mine.pk) is None


def test_another_app_can_register_a_relationship(world, membership_of):
    from django.db.models import Q

    theirs = world.person(practice=world.practice_b)
    user = world.user(Role.SOCIAL_WORKER, world.practice_a)
    access.register_relationship("test_referral", lambda m: Q(pk=theirs.pk))
    try:
        assert access.access_basis(membership_of(user), theirs.pk) == "test_referral"
    finally:
        access._RELATIONSHIPS.pop("test_referral")
