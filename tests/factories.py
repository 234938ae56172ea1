"""Small worlds for tests, built through the actions as the application builds them."""

import itertools
from datetime import date

from joinedup.core import actions as core_actions
from joinedup.core.models import (
    LocalCareNetwork,
    Lsoa,
    Neighbourhood,
    OrganisationType,
    Place,
    Postcode,
    System,
)
from joinedup.people import actions as people_actions
from joinedup.synth.borough import nhs_numbers

PASSWORD = "a-long-test-password-1"
_counter = itertools.count(1)


class World:
    """Two practices in two neighbourhoods of two LCNs, and postcodes for each."""

    def __init__(self):
        system = System.objects.create(code="QTS", name="Test ICS")
        place = Place.objects.create(system=system, code="E09000998", name="Test borough")
        north = LocalCareNetwork.objects.create(place=place, code="LCNN", name="North LCN")
        south = LocalCareNetwork.objects.create(place=place, code="LCNS", name="South LCN")
        self.hood_a = Neighbourhood.objects.create(network=north, code="NHA", name="Hood A")
        self.hood_b = Neighbourhood.objects.create(network=south, code="NHB", name="Hood B")
        self.lsoa_a = Lsoa.objects.create(
            code="E01990001", name="A 001", imd_decile=1, neighbourhood=self.hood_a
        )
        self.lsoa_b = Lsoa.objects.create(
            code="E01990002", name="B 001", imd_decile=10, neighbourhood=self.hood_b
        )
        Postcode.objects.create(
            postcode="JU1 1AA", lsoa=self.lsoa_a, latitude=51.55, longitude=-0.06
        )
        Postcode.objects.create(
            postcode="JU2 2BB", lsoa=self.lsoa_b, latitude=51.57, longitude=-0.06
        )
        self.place = place
        self.practice_a = core_actions.create_organisation(
            by=None,
            name="Practice A",
            type=OrganisationType.GP_PRACTICE,
            ods_code="Z00001",
            places=[place],
            neighbourhood=self.hood_a,
        )
        self.practice_b = core_actions.create_organisation(
            by=None,
            name="Practice B",
            type=OrganisationType.GP_PRACTICE,
            ods_code="Z00002",
            places=[place],
            neighbourhood=self.hood_b,
        )
        self.icb = core_actions.create_organisation(
            by=None, name="Test ICB", type=OrganisationType.ICB, ods_code="QTS", places=[place]
        )
        self._numbers = iter(nhs_numbers(500, __import__("numpy").random.default_rng(5)))

    def nhs_number(self) -> str:
        return next(self._numbers)

    def user(self, role: str, organisation=None, username: str | None = None):
        n = next(_counter)
        return core_actions.create_staff_user(
            by=None,
            username=username or f"{role}{n}",
            password=PASSWORD,
            first_name="Test",
            last_name=f"User{n}",
            memberships=[(organisation or self.practice_a, role)],
        )

    def person(self, practice=None, **fields):
        defaults = {
            "nhs_number": self.nhs_number(),
            "given_name": "Ada",
            "family_name": "Lovelace",
            "birth_date": date(1950, 1, 2),
            "sex": "female",
            "postcode": "JU1 1AA",
            "registered_practice": practice or self.practice_a,
        }
        defaults.update(fields)
        return people_actions.register_person(by=None, organisation=None, **defaults)

    def organisation(self, name: str, type: str, ods_code: str | None = None):
        return core_actions.create_organisation(
            by=None, name=name, type=type, ods_code=ods_code, places=[self.place]
        )

    def profile(
        self,
        person,
        *,
        ltc_count=3,
        cms=1.0,
        efi_band="mild",
        admissions=0,
        age=70,
        conditions=None,
    ):
        """A population result for ``person`` in the current run (made here, as the
        population engine would write it)."""
        from django.utils import timezone

        from joinedup.population.models import PersonProfile, PopulationRun

        run = PopulationRun.objects.filter(current=True).first()
        if run is None:
            run = PopulationRun.objects.create(
                started_at=timezone.now(), as_of=date(2026, 6, 30), engine="test", current=True
            )
        practice = person.registered_practice
        return PersonProfile.objects.create(
            run=run,
            person=person,
            conditions=",".join(["", *(conditions or [f"c{i}" for i in range(ltc_count)]), ""]),
            ltc_count=ltc_count,
            multimorbid=ltc_count >= 3,
            cms=cms,
            efi=0.2,
            efi_band=efi_band,
            age=age,
            age_band="65-74",
            sex=person.sex,
            ethnicity_group="white",
            imd_quintile=1,
            practice=practice,
            neighbourhood=practice.neighbourhood if practice else None,
            admissions_12m=admissions,
        )
