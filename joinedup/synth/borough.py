"""The demo borough: a fictional inner-London-like place, seeded and reproducible.

Two local care networks, six neighbourhoods, about 35 GP practices and 130 LSOAs
across every IMD decile, 100+ organisations, staff for every role, and residents with
a plausible age, sex and ethnicity mix and valid, unique NHS numbers from the 999
test range. Postcodes are in the fictional ``JU`` area; LSOA codes start ``E0199``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction

from joinedup.core import actions as core_actions
from joinedup.core.models import (
    LocalCareNetwork,
    Lsoa,
    Neighbourhood,
    Organisation,
    OrganisationType,
    Place,
    Postcode,
    Role,
    System,
)
from joinedup.people import actions as people_actions
from joinedup.people.models import CommunicationNeed, RelationshipType

from . import names

DEMO_PASSWORD = "joinedup-demo-2026"
N_LSOAS = 130
CENTRE = (51.55, -0.06)  # the fictional borough sits where an inner London borough would
N_PRACTICES = 35
N_PHARMACIES = 40
N_VOLUNTARY = 40
NEIGHBOURHOODS = (
    ("North", ("Hampstead and Belsize", "Kentish Town and Gospel Oak", "Highgate and Holloway")),
    ("South", ("Camden Town and Somers Town", "Holborn and Bloomsbury", "Kilburn and West End")),
)
VOLUNTARY_KINDS = (
    "Age Concern",
    "Carers Centre",
    "Food Bank",
    "Mind",
    "Community Centre",
    "Settlement",
    "Befriending Scheme",
    "Advice Centre",
    "Women's Centre",
    "Refugee Support",
)
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXY"
# Age bands (lower, upper) and shares, inner-London-like.
AGE_BANDS = (
    (0, 4, 0.055),
    (5, 15, 0.11),
    (16, 24, 0.13),
    (25, 34, 0.20),
    (35, 44, 0.15),
    (45, 54, 0.12),
    (55, 64, 0.10),
    (65, 74, 0.075),
    (75, 84, 0.045),
    (85, 100, 0.015),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    organisation: str
    note: str = ""


def _with_check_digits(bases: np.ndarray) -> np.ndarray:
    """Append the Modulus 11 check digit (weights 10..2) to nine-digit bases, dropping
    the bases whose check would be 10: they are not valid NHS numbers."""
    digits = (bases[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    remainder = (digits * np.arange(10, 1, -1)).sum(axis=1) % 11
    check = (11 - remainder) % 11
    valid = check != 10
    return bases[valid] * 10 + check[valid]


def nhs_numbers(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` unique, valid NHS numbers from ranges never issued to real people, in
    random order: the 999 test range first (about 909,000 numbers, enough for a borough),
    then, for a whole system, the rest of NHS England's synthetic range (900–998)."""
    in_999 = min(count, 900_000)
    numbers = _with_check_digits(
        999_000_000
        + rng.choice(1_000_000, size=min(int(in_999 * 1.15) + 100, 1_000_000), replace=False)
    )[:in_999]
    if count > in_999:
        more = count - in_999
        if more > 80_000_000:
            raise ValueError("the synthetic NHS number ranges hold about 90 million numbers")
        extra = _with_check_digits(
            900_000_000 + rng.choice(99_000_000, size=int(more * 1.15) + 100, replace=False)
        )[:more]
        numbers = np.concatenate([numbers, extra])
    return [str(n) for n in numbers]


def _birth_dates(count: int, rng: np.random.Generator, today: date) -> list[date]:
    shares = np.array([b[2] for b in AGE_BANDS])
    band = rng.choice(len(AGE_BANDS), size=count, p=shares / shares.sum())
    low = np.array([b[0] for b in AGE_BANDS])[band]
    high = np.array([b[1] for b in AGE_BANDS])[band]
    age_days = rng.integers(low * 365, (high + 1) * 365 - 1)
    return [today - timedelta(days=int(d)) for d in age_days]


@transaction.atomic
def build_borough(
    *, residents: int, seed: int, progress: Callable[[str, int, int], None] | None = None
) -> list[DemoLogin]:
    """Load the whole borough into the database in one transaction; return the logins."""
    rng = np.random.default_rng(seed)
    today = date.today()
    say = progress or (lambda stage, done, total: None)

    system = System.objects.create(code="QJU", name="North Central London-like ICS (demo)")
    place = Place.objects.create(system=system, code="E09000999", name="Joinedup Borough (demo)")

    # Places: 2 LCNs, 6 neighbourhoods, 130 LSOAs over every IMD decile.
    neighbourhoods: list[Neighbourhood] = []
    for n_index, (network_name, hood_names) in enumerate(NEIGHBOURHOODS, start=1):
        network = LocalCareNetwork.objects.create(
            place=place, code=f"LCN{n_index}", name=f"{network_name} local care network"
        )
        for h_name in hood_names:
            neighbourhoods.append(
                Neighbourhood.objects.create(
                    network=network, code=f"NH{len(neighbourhoods) + 1}", name=h_name
                )
            )
    # Inner London leans deprived: every decile present, most LSOAs in deciles 2–6.
    decile_weights = np.array([0.14, 0.16, 0.15, 0.13, 0.11, 0.09, 0.08, 0.06, 0.05, 0.03])
    deciles = np.concatenate(
        [np.arange(1, 11), rng.choice(10, size=N_LSOAS - 10, p=decile_weights) + 1]
    )
    rng.shuffle(deciles)
    n_areas = len(names.AREA_NAMES)
    lsoas = Lsoa.objects.bulk_create(
        [
            Lsoa(
                code=f"E0199{i:04d}",
                name=f"{names.AREA_NAMES[i % n_areas]} {i // n_areas + 1:03d}",
                imd_decile=int(deciles[i]),
                neighbourhood=neighbourhoods[i * len(neighbourhoods) // N_LSOAS],
            )
            for i in range(N_LSOAS)
        ]
    )
    postcodes_by_lsoa: dict[int, list[str]] = {}
    postcode_rows = []
    # Where each postcode is: LSOAs on a 13 × 10 grid of 500 m squares round the
    # borough's centre (neighbourhoods in bands), postcodes scattered inside their LSOA.
    # A separate generator, so adding coordinates left the rest of the borough unchanged.
    place_rng = np.random.default_rng(seed + 7)
    # About 35 residents to a postcode, as in England (at least 12 to each LSOA).
    per_lsoa = max(12, residents // (N_LSOAS * 35))
    in_hood = dict.fromkeys(neighbourhoods, 0)
    for lsoa_index, lsoa in enumerate(lsoas):
        hood = neighbourhoods.index(lsoa.neighbourhood) + 1
        codes = []
        for _ in range(per_lsoa):
            k = in_hood[lsoa.neighbourhood]
            in_hood[lsoa.neighbourhood] += 1
            letters = _INWARD_LETTERS[k % 19] + _INWARD_LETTERS[(k // 19) % 19]
            # Districts JU1–JU6 (one per neighbourhood), then JU10–JU69 when they fill up.
            district = hood if k < 3610 else hood * 10 + k // 3610 - 1
            codes.append(f"JU{district} {(k // 361) % 10}{letters}")
        postcodes_by_lsoa[lsoa.pk] = codes
        row, column = divmod(lsoa_index, 13)
        jitter = place_rng.random((len(codes), 2))
        postcode_rows += [
            Postcode(
                postcode=c,
                lsoa=lsoa,
                latitude=round(CENTRE[0] + (row - 5 + jitter[j, 0]) * 0.0045, 6),
                longitude=round(CENTRE[1] + (column - 6.5 + jitter[j, 1]) * 0.0072, 6),
            )
            for j, c in enumerate(codes)
        ]
    Postcode.objects.bulk_create(postcode_rows)
    say("places", 1, 1)

    # Organisations.
    create = core_actions.create_organisation
    icb = create(
        by=None,
        name="Joinedup Integrated Care Board (demo)",
        type=OrganisationType.ICB,
        ods_code="QJU",
        places=[place],
    )
    practices: list[Organisation] = []
    for p in range(N_PRACTICES):
        hood = neighbourhoods[p * len(neighbourhoods) // N_PRACTICES]
        street = names.STREETS[p % len(names.STREETS)]
        practices.append(
            create(
                by=None,
                name=f"{street} Medical Practice",
                type=OrganisationType.GP_PRACTICE,
                ods_code=f"Z{90001 + p:05d}",
                places=[place],
                neighbourhood=hood,
            )
        )
    # The partnership's other agencies: (name, type, ODS code).
    agencies = {
        kind: create(by=None, name=name, type=kind, ods_code=code, places=[place])
        for name, kind, code in (
            ("Joinedup GP Federation", OrganisationType.GP_FEDERATION, "ZJF01"),
            ("Royal Joinedup Hospital NHS Foundation Trust", OrganisationType.ACUTE_TRUST, "RZ1"),
            ("Joinedup Community Health NHS Trust", OrganisationType.COMMUNITY_TRUST, "RZ2"),
            ("Joinedup Mental Health NHS Trust", OrganisationType.MENTAL_HEALTH_TRUST, "RZ3"),
            ("Joinedup Council Adult Social Care", OrganisationType.ADULT_SOCIAL_CARE, "ZC101"),
            ("Joinedup Council Children's Services", OrganisationType.CHILDRENS_SERVICES, "ZC102"),
            ("Joinedup Council Public Health", OrganisationType.PUBLIC_HEALTH, "ZC103"),
            ("Healthwatch Joinedup", OrganisationType.HEALTHWATCH, None),
        )
    }
    federation = agencies[OrganisationType.GP_FEDERATION]
    acute = agencies[OrganisationType.ACUTE_TRUST]
    community = agencies[OrganisationType.COMMUNITY_TRUST]
    mental_health = agencies[OrganisationType.MENTAL_HEALTH_TRUST]
    adult_care = agencies[OrganisationType.ADULT_SOCIAL_CARE]
    public_health = agencies[OrganisationType.PUBLIC_HEALTH]
    healthwatch = agencies[OrganisationType.HEALTHWATCH]
    pharmacies = [
        create(
            by=None,
            name=f"{names.STREETS[i % len(names.STREETS)]} Pharmacy"
            + (f" {i // len(names.STREETS) + 1}" if i >= len(names.STREETS) else ""),
            type=OrganisationType.PHARMACY,
            ods_code=f"FZ{i + 1:03d}",
            places=[place],
        )
        for i in range(N_PHARMACIES)
    ]
    voluntary = [
        create(
            by=None,
            name=f"{names.AREA_NAMES[i % len(names.AREA_NAMES)]} "
            f"{VOLUNTARY_KINDS[i % len(VOLUNTARY_KINDS)]}",
            type=OrganisationType.VOLUNTARY,
            places=[place],
        )
        for i in range(N_VOLUNTARY)
    ]
    for hood in neighbourhoods:
        core_actions.create_team(by=None, organisation=community, name=f"District nursing – {hood}")
    say("organisations", 1, 1)

    # Staff: every role, from several organisations; one person works in two places.
    password_hash = make_password(DEMO_PASSWORD)
    staff = [
        ("gp.a", "Asha", "Patel", [(practices[0], Role.GP), (federation, Role.GP)]),
        ("gp.b", "Tom", "Reid", [(practices[1], Role.GP)]),
        ("nurse.practice", "Grace", "Owusu", [(practices[0], Role.PRACTICE_NURSE)]),
        ("nurse.community", "Ewa", "Nowak", [(community, Role.COMMUNITY_NURSE)]),
        ("specialist", "Kwame", "Mensah", [(acute, Role.HOSPITAL_SPECIALIST)]),
        ("mentalhealth", "Ruth", "Clarke", [(mental_health, Role.MENTAL_HEALTH)]),
        ("socialworker", "Imran", "Khan", [(adult_care, Role.SOCIAL_WORKER)]),
        ("navigator", "Leila", "Haddad", [(voluntary[0], Role.CARE_NAVIGATOR)]),
        ("coordinator", "Sam", "Turner", [(federation, Role.CARE_COORDINATOR)]),
        ("pharmacist", "Wei", "Chen", [(pharmacies[0], Role.PHARMACIST)]),
        ("volunteer", "Marcia", "Campbell", [(voluntary[1], Role.VOLUNTARY_WORKER)]),
        ("analyst", "Daniel", "Hughes", [(icb, Role.ANALYST)]),
        ("dataquality", "Nadia", "Haddad", [(icb, Role.DATA_QUALITY)]),
        ("curator", "Olu", "Adeyemi", [(public_health, Role.DIRECTORY_CURATOR)]),
        (
            "engagement",
            "Amara",
            "Okafor",
            [(healthwatch, Role.ENGAGEMENT_OFFICER), (public_health, Role.ENGAGEMENT_OFFICER)],
        ),
        ("admin.practice", "Helen", "Ward", [(practices[0], Role.ORG_ADMIN)]),
        ("admin.system", "Peter", "King", [(icb, Role.SYSTEM_ADMIN)]),
    ]
    logins = []
    for username, first, last, memberships in staff:
        core_actions.create_staff_user(
            by=None,
            username=username,
            password=None,
            password_hash=password_hash,
            first_name=first,
            last_name=last,
            email=f"{username}@joinedup.invalid",
            memberships=memberships,
        )
        for org, role in memberships:
            note = (
                "two-factor: scan the QR code at first sign-in"
                if role in (Role.ORG_ADMIN, Role.SYSTEM_ADMIN)
                else ""
            )
            logins.append(DemoLogin(username, f"{first} {last}", Role(role).label, org.name, note))
    say("staff", 1, 1)

    _load_residents(
        residents=residents,
        rng=rng,
        today=today,
        lsoas=lsoas,
        postcodes_by_lsoa=postcodes_by_lsoa,
        practices=practices,
        neighbourhoods=neighbourhoods,
        say=say,
    )
    return logins


def _load_residents(
    *, residents, rng, today, lsoas, postcodes_by_lsoa, practices, neighbourhoods, say
) -> None:
    numbers = nhs_numbers(residents, rng)
    births = _birth_dates(residents, rng, today)
    sexes = rng.choice(["female", "male"], size=residents, p=[0.51, 0.49])
    ethnic_codes = list(names.ETHNICITY_SHARES)
    shares = np.array(list(names.ETHNICITY_SHARES.values()))
    ethnicity = rng.choice(len(ethnic_codes), size=residents, p=shares / shares.sum())
    lsoa_index = rng.integers(0, len(lsoas), size=residents)
    stays_local = rng.random(residents) < 0.85
    any_practice = rng.integers(0, len(practices), size=residents)
    practices_by_hood = {
        h.pk: [p.pk for p in practices if p.neighbourhood_id == h.pk] for h in neighbourhoods
    }
    picks = rng.random((residents, 8))
    house = rng.integers(1, 80, size=residents)
    needs_codes = CommunicationNeed.values
    rows = []
    for i in range(residents):
        code = ethnic_codes[ethnicity[i]]
        pool = names.ETHNICITY_POOL[code]
        sex = str(sexes[i])
        lsoa = lsoas[lsoa_index[i]]
        local = practices_by_hood[lsoa.neighbourhood_id]
        practice_id = (
            local[int(picks[i, 0] * len(local))]
            if stays_local[i] and local
            else practices[any_practice[i]].pk
        )
        postcodes = postcodes_by_lsoa[lsoa.pk]
        postcode = postcodes[int(picks[i, 3] * len(postcodes))]
        birth = births[i]
        age = (today - birth).days // 365
        non_english = pool != "british" and picks[i, 1] < (0.35 if age >= 65 else 0.12)
        needs = []
        if picks[i, 2] < (0.12 if age >= 75 else 0.025):
            needs.append(needs_codes[int(picks[i, 3] * len(needs_codes))])
        died = age >= 70 and picks[i, 4] < 0.02
        rows.append(
            {
                "nhs_number": numbers[i],
                "given_name": names.given_name(pool, sex, picks[i, 5]),
                "family_name": names.family_name(pool, picks[i, 6]),
                "birth_date": birth,
                "sex": sex,
                "ethnicity": code,
                "address_line1": f"{house[i]} {names.street_for(postcode)}",
                "town": "London",
                "postcode": postcode,
                "registered_practice_id": int(practice_id),
                "phone": f"07700 900{i % 1000:03d}",  # Ofcom drama range
                "preferred_language": names.LANGUAGE_BY_POOL.get(pool, "English")
                if non_english
                else "English",
                "interpreter_needed": bool(non_english and picks[i, 2] < 0.6),
                "communication_needs": needs,
                "date_of_death": today - timedelta(days=int(picks[i, 7] * 700)) if died else None,
                "national_data_opt_out": bool(picks[i, 4] > 0.945),
            }
        )
    # Twins (about 1 in 60 births): the next resident shares a birthday, surname and
    # address with the one before, with another first name — the hardest case for linkage.
    twins = np.nonzero(rng.random(residents) < 0.008)[0]
    for i in twins[twins > 0]:
        sibling, twin = rows[i - 1], rows[i]
        for key in (
            "birth_date",
            "family_name",
            "address_line1",
            "town",
            "postcode",
            "registered_practice_id",
            "ethnicity",
            "date_of_death",
        ):
            twin[key] = sibling[key]
        pool = names.GIVEN[names.ETHNICITY_POOL[sibling["ethnicity"]]][twin["sex"]]
        others = [n for n in pool if n != sibling["given_name"]]
        twin["given_name"] = others[int(rng.integers(0, len(others)))]
    total = len(rows)
    people_actions.bulk_register_people(
        by=None,
        organisation=None,
        rows=rows,
        source="synthetic borough",
        progress=lambda done: say("residents", done, total),
    )

    # Carers: about 4% of adults over 65 have a carer who is another resident,
    # and 10% of everyone has a next-of-kin contact known by name only.
    from joinedup.people.models import Person

    ids = list(Person.objects.order_by("pk").values_list("pk", "birth_date"))
    older = [pk for pk, born in ids if (today - born).days > 65 * 365]
    adults = [pk for pk, born in ids if 18 * 365 < (today - born).days < 80 * 365]
    relationship_rows = []
    if older and adults:
        for pk in older:
            if rng.random() < 0.04:
                carer = adults[int(rng.integers(0, len(adults)))]
                if carer != pk:
                    relationship_rows.append(
                        {
                            "person_id": pk,
                            "type": RelationshipType.CARER,
                            "related_person_id": carer,
                            "relationship_description": "family member",
                        }
                    )
    british = names.GIVEN["british"]["female"] + names.GIVEN["british"]["male"]
    for n, (pk, _) in enumerate(ids[::10]):
        contact = f"{british[n % len(british)]} {names.family_name('british', rng.random())}"
        relationship_rows.append(
            {
                "person_id": pk,
                "type": RelationshipType.NEXT_OF_KIN,
                "contact_name": contact,
                "contact_phone": f"020 7946 0{n % 1000:03d}",
                "relationship_description": "relative",
            }
        )
    people_actions.bulk_add_relationships(
        by=None, rows=relationship_rows, source="synthetic borough"
    )
    say("relationships", 1, 1)
