"""Which roles each kind of organisation may give its staff (core.permissions)."""

import pytest

from joinedup.core.models import Membership, Organisation, OrganisationType, Role
from joinedup.core.permissions import may_administer_staff, roles_for


def test_every_kind_of_organisation_can_have_an_admin_but_never_a_system_admin():
    for kind in OrganisationType:
        roles = roles_for(Organisation(type=kind))
        assert Role.ORG_ADMIN in roles, kind
        assert Role.SYSTEM_ADMIN not in roles, kind


@pytest.mark.parametrize(
    ("kind", "allowed", "refused"),
    [
        (OrganisationType.GP_PRACTICE, Role.PRACTICE_NURSE, Role.SOCIAL_WORKER),
        (OrganisationType.GP_PRACTICE, Role.GP, Role.HOSPITAL_SPECIALIST),
        (OrganisationType.VOLUNTARY, Role.VOLUNTARY_WORKER, Role.GP),
        (OrganisationType.VOLUNTARY, Role.CARE_NAVIGATOR, Role.PRACTICE_NURSE),
        (OrganisationType.ACUTE_TRUST, Role.HOSPITAL_SPECIALIST, Role.GP),
        (OrganisationType.ADULT_SOCIAL_CARE, Role.SOCIAL_WORKER, Role.COMMUNITY_NURSE),
        (OrganisationType.PHARMACY, Role.PHARMACIST, Role.GP),
        (OrganisationType.ICB, Role.ANALYST, Role.GP),
    ],
)
def test_roles_that_make_sense_for_the_organisation(kind, allowed, refused):
    roles = roles_for(Organisation(type=kind))
    assert allowed in roles and refused not in roles


def test_roles_come_in_the_order_they_are_declared():
    roles = roles_for(Organisation(type=OrganisationType.GP_PRACTICE))
    assert roles == [r for r in Role.values if r in roles]


def test_who_may_administer_an_organisations_staff():
    here, there = Organisation(pk=1), Organisation(pk=2)

    def acting(role, organisation=here, active=True):
        return Membership(role=role, organisation=organisation, active=active)

    assert may_administer_staff(acting(Role.ORG_ADMIN), here)
    assert may_administer_staff(acting(Role.ORG_ADMIN))  # the staff pages at all
    assert not may_administer_staff(acting(Role.ORG_ADMIN), there)
    assert may_administer_staff(acting(Role.SYSTEM_ADMIN, there), here)
    assert not may_administer_staff(acting(Role.GP), here)
    assert not may_administer_staff(acting(Role.ORG_ADMIN, active=False), here)
    assert not may_administer_staff(None, here)
