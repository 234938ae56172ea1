"""A care team across organisations, and a token for each of them."""

import pytest

from joinedup.care import actions
from joinedup.core.actions import create_api_token
from joinedup.core.models import OrganisationType, Role


@pytest.fixture
def fhir(world, membership_of):
    asc = world.organisation("Council ASC", OrganisationType.ADULT_SOCIAL_CARE, "ZC901")
    vcs = world.organisation("Age Concern", OrganisationType.VOLUNTARY)
    outsider_org = world.organisation("Elsewhere ASC", OrganisationType.ADULT_SOCIAL_CARE, "ZC999")
    outsider_org.places.clear()
    gp = world.user(Role.GP, world.practice_a)
    social = world.user(Role.SOCIAL_WORKER, asc)
    volunteer = world.user(Role.VOLUNTARY_WORKER, vcs)
    stranger = world.user(Role.SOCIAL_WORKER, asc)
    person = world.person(given_name="Mary", family_name="Jones")
    other = world.person(practice=world.practice_b, given_name="Other", family_name="Person")
    world.profile(person, conditions=["hypertension", "copd", "depression"])
    m = {u: membership_of(u) for u in (gp, social, volunteer, stranger)}
    plan = actions.start_plan(by=gp, membership=m[gp], person=person)
    plan = actions.save_goal(
        by=gp, membership=m[gp], plan=plan, base_version=1, data={"text": "Walk to the park"}
    )
    for user, org, role in ((social, asc, "Social worker"), (volunteer, vcs, "Befriender")):
        actions.add_team_member(
            by=gp, membership=m[gp], person=person, organisation=org, user=user, role=role
        )

    class Fhir:
        pass

    f = Fhir()
    f.world, f.asc, f.vcs, f.outsider_org = world, asc, vcs, outsider_org
    f.gp, f.social, f.volunteer, f.stranger = gp, social, volunteer, stranger
    f.person, f.other, f.plan, f.m = person, other, plan, m
    f.token = {
        u: create_api_token(by=None, user=u, organisation=m[u].organisation)
        for u in (gp, social, volunteer, stranger)
    }
    return f
