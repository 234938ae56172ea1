"""The people every care test starts from."""

import pytest

from joinedup.core.models import OrganisationType, Role


@pytest.fixture
def care(world, membership_of):
    """A GP practice's patient with 3+ LTCs; a council social worker and a voluntary worker
    with no relationship yet; a federation care coordinator."""
    asc = world.organisation("Council ASC", OrganisationType.ADULT_SOCIAL_CARE, "ZC901")
    vcs = world.organisation("Age Concern", OrganisationType.VOLUNTARY)
    federation = world.organisation("Federation", OrganisationType.GP_FEDERATION, "ZF901")
    gp = world.user(Role.GP, world.practice_a)
    social = world.user(Role.SOCIAL_WORKER, asc)
    volunteer = world.user(Role.VOLUNTARY_WORKER, vcs)
    coordinator = world.user(Role.CARE_COORDINATOR, federation)
    person = world.person(given_name="Mary", family_name="Jones")
    world.profile(person, ltc_count=4, cms=2.0, efi_band="moderate", admissions=1)

    class Care:
        pass

    c = Care()
    c.world, c.asc, c.vcs, c.federation, c.person = world, asc, vcs, federation, person
    c.gp, c.social, c.volunteer, c.coordinator = gp, social, volunteer, coordinator
    c.m = {u: membership_of(u) for u in (gp, social, volunteer, coordinator)}
    return c
