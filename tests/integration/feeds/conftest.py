"""A hospital (ODS code RJ1) and the people of the ADT corpus (tests/data/adt/README.md)."""

import pytest
from django.utils import timezone

from joinedup.care import actions as care_actions
from joinedup.care.models import CaseloadEntry, Stage
from joinedup.core.models import OrganisationType, Role


@pytest.fixture
def feed(world, membership_of):
    hospital = world.organisation("Riverside Hospitals", OrganisationType.ACUTE_TRUST, "RJ1")
    asc = world.organisation("Council ASC", OrganisationType.ADULT_SOCIAL_CARE, "ZC901")
    gp, social = world.user(Role.GP, world.practice_a), world.user(Role.SOCIAL_WORKER, asc)
    people = {
        "mary": world.person(given_name="Mary", family_name="Jones", nhs_number="9434765803"),
        "john": world.person(given_name="John", family_name="Smith", nhs_number="9434765811"),
        "raj": world.person(given_name="Raj", family_name="Patel", nhs_number="9434765838"),
        "grace": world.person(given_name="Grace", family_name="Okafor", nhs_number="9434765846"),
        "zoe": world.person(given_name="Zoë", family_name="Lefèvre", nhs_number="9434765870"),
        "linh": world.person(given_name="Linh", family_name="Nguyen"),
    }
    _link_hospital_number(hospital, "K123456", people["linh"])
    # Mary: on the caseload with an agreed plan and a council social worker as key worker.
    world.profile(people["mary"], ltc_count=4, cms=2.0, efi_band="moderate", admissions=0)
    care_actions.build_caseload(by=None)
    entry, m = CaseloadEntry.objects.get(person=people["mary"]), membership_of(gp)
    for stage in (Stage.CONTACTED, Stage.ASSESSED, Stage.PLAN_AGREED):
        entry = care_actions.move_stage(by=gp, membership=m, entry=entry, stage=stage)
    care_actions.start_plan(by=gp, membership=m, person=people["mary"])
    care_actions.add_team_member(
        by=gp,
        membership=m,
        person=people["mary"],
        organisation=asc,
        user=social,
        role="Social worker",
        is_key_worker=True,
    )

    class Feed:
        pass

    f = Feed()
    f.world, f.hospital, f.gp, f.social, f.people = world, hospital, gp, social, people
    return f


def _link_hospital_number(hospital, local_id, person):
    """The hospital's own record of the person, linked by identity linkage (as a linkage
    run leaves it)."""
    from joinedup.identity.models import AgencyLoad, Band, SourceRecord

    load = AgencyLoad.objects.create(
        agency=hospital, file_name="pas.csv", sha256="0" * 64, loaded_at=timezone.now()
    )
    SourceRecord.objects.create(
        agency=hospital,
        load=load,
        local_id=local_id,
        given_name=person.given_name,
        family_name=person.family_name,
        birth_date=person.birth_date,
        person=person,
        band=Band.AUTO,
        match_probability=0.99,
        linked_at=timezone.now(),
    )
