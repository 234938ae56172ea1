"""The demo borough: a fictional inner-London-like place, seeded and reproducible, and
with ``places`` above one, two smaller boroughs beside it in the same system.

The first place has two local care networks, six neighbourhoods, about 35 GP practices
and 130 LSOAs across every IMD decile, 100+ organisations, staff for every role, and
residents with a plausible age, sex and ethnicity mix and valid, unique NHS numbers from
the 999 test range. Postcodes are in the fictional ``JU`` area (``JV`` and ``JW`` for the
others); LSOA codes start ``E0199`` (``E0198``, ``E0197``).

It is made as a partnership going live makes its own: the generator writes the files
(docs/going-live.md) and loads them through the same loaders (``core.loaders``,
``people.registrations``, ``core.place_settings``).
"""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from joinedup.core import actions as core_actions
from joinedup.core import loaders
from joinedup.core.models import Neighbourhood, Organisation, OrganisationType, Role
from joinedup.core.place_settings import import_settings
from joinedup.people import actions as people_actions
from joinedup.people.models import CommunicationNeed, Person, RelationshipType
from joinedup.people.registrations import load_people

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


@dataclass(frozen=True)
class DemoPlace:
    """A borough of the demo system and what is its own: networks and neighbourhoods,
    LSOAs, postcodes, practices, a council (the first place's is in ``AGENCIES``),
    pharmacies and voluntary groups."""

    code: str  # a fictional ONS local authority code
    name: str
    short: str  # in the names of its own organisations
    networks: tuple[tuple[str, tuple[str, ...]], ...]
    lsoas: int
    practices: int
    area: str  # its postcodes' area (none is a real one)
    lsoa_prefix: str  # its LSOA codes: the prefix and four digits
    centre: tuple[float, float]
    pharmacies: int
    voluntary: int


PLACES = (
    DemoPlace(
        "E09000999", "Joinedup Borough (demo)", "Joinedup", NEIGHBOURHOODS, N_LSOAS,
        N_PRACTICES, "JU", "E0199", CENTRE, N_PHARMACIES, N_VOLUNTARY,
    ),
    DemoPlace(
        "E09000998", "Riverside Borough (demo)", "Riverside",
        (("Riverside", ("Wharfside and Docks", "Old Market", "Canal Basin")),),
        45, 10, "JV", "E0198", (51.505, 0.03), 8, 6,
    ),
    DemoPlace(
        "E09000997", "Hillside Borough (demo)", "Hillside",
        (("Hillside", ("Upper Hill and Common", "Vale and Meadows")),),
        35, 8, "JW", "E0197", (51.605, -0.17), 6, 5,
    ),
)  # fmt: skip
MAX_PLACES = len(PLACES)
# The partnership's agencies: (name, type, ODS code, serves every place). Councils,
# the federation and Healthwatch are the first place's; the trusts and the ICB serve all.
AGENCIES = (
    ("Joinedup GP Federation", OrganisationType.GP_FEDERATION, "ZJF01", False),
    ("Royal Joinedup Hospital NHS Foundation Trust", OrganisationType.ACUTE_TRUST, "RZ1", True),
    ("Joinedup Community Health NHS Trust", OrganisationType.COMMUNITY_TRUST, "RZ2", True),
    ("Joinedup Mental Health NHS Trust", OrganisationType.MENTAL_HEALTH_TRUST, "RZ3", True),
    ("Joinedup Council Adult Social Care", OrganisationType.ADULT_SOCIAL_CARE, "ZC101", False),
    ("Joinedup Council Children's Services", OrganisationType.CHILDRENS_SERVICES, "ZC102", False),
    ("Joinedup Council Public Health", OrganisationType.PUBLIC_HEALTH, "ZC103", False),
    ("Healthwatch Joinedup", OrganisationType.HEALTHWATCH, None, False),
)
ICB = ("Joinedup Integrated Care Board (demo)", OrganisationType.ICB, "QJU")
# Each place's own approach, when there are several (the settings file, as a partnership
# writes it): the first keeps the default (three or more conditions); the second counts
# two or more with moderate or severe frailty; the third asks about sight and hearing too
# and reviews plans more often.
PLACE_SETTINGS = {
    "system": {"cohort": {"min_conditions": 3}},
    "places": {
        "E09000998": {"cohort": {"min_conditions": 2, "frailty_bands": ["moderate", "severe"]}},
        "E09000997": {
            "review_interval_days": 90,
            "assessment": {
                "remove_questions": [],
                "add_domains": [
                    {
                        "link_id": "sight",
                        "title": "Sight and hearing",
                        "questions": [
                            {
                                "link_id": "sight.concerns",
                                "text": "Any worries about your sight or hearing?",
                                "type": "text",
                            },
                            {
                                "link_id": "sight.aids",
                                "text": "Do you use glasses, a hearing aid or another aid?",
                                "type": "boolean",
                            },
                        ],
                    }
                ],
            },
        },
    },
}


def _staff(place_practices: list[list[str]], voluntary: list[str], places: int) -> list:
    """(username, first, last, [(organisation: ODS code or name, role)]): every role, from
    several organisations; one person works in two places (gp.a), one in two
    organisations (engagement). With more places, a GP and a care coordinator in each."""
    staff = [
        ("gp.a", "Asha", "Patel", [(place_practices[0][0], Role.GP), ("ZJF01", Role.GP)]),
        ("gp.b", "Tom", "Reid", [(place_practices[0][1], Role.GP)]),
        ("nurse.practice", "Grace", "Owusu", [(place_practices[0][0], Role.PRACTICE_NURSE)]),
        ("nurse.community", "Ewa", "Nowak", [("RZ2", Role.COMMUNITY_NURSE)]),
        ("specialist", "Kwame", "Mensah", [("RZ1", Role.HOSPITAL_SPECIALIST)]),
        ("mentalhealth", "Ruth", "Clarke", [("RZ3", Role.MENTAL_HEALTH)]),
        ("socialworker", "Imran", "Khan", [("ZC101", Role.SOCIAL_WORKER)]),
        ("navigator", "Leila", "Haddad", [(voluntary[0], Role.CARE_NAVIGATOR)]),
        ("coordinator", "Sam", "Turner", [("ZJF01", Role.CARE_COORDINATOR)]),
        ("pharmacist", "Wei", "Chen", [("FZ001", Role.PHARMACIST)]),
        ("volunteer", "Marcia", "Campbell", [(voluntary[1], Role.VOLUNTARY_WORKER)]),
        ("analyst", "Daniel", "Hughes", [("QJU", Role.ANALYST)]),
        ("dataquality", "Nadia", "Haddad", [("QJU", Role.DATA_QUALITY)]),
        ("curator", "Olu", "Adeyemi", [("ZC103", Role.DIRECTORY_CURATOR)]),
        (
            "engagement",
            "Amara",
            "Okafor",
            [
                ("Healthwatch Joinedup", Role.ENGAGEMENT_OFFICER),
                ("ZC103", Role.ENGAGEMENT_OFFICER),
            ],
        ),
        ("admin.practice", "Helen", "Ward", [(place_practices[0][0], Role.ORG_ADMIN)]),
        ("admin.system", "Peter", "King", [("QJU", Role.SYSTEM_ADMIN)]),
    ]
    others = (("Femi", "Adebayo", "Chloe", "Martin"), ("Priya", "Shah", "Owen", "Price"))
    for k in range(1, places):
        short = PLACES[k].short.lower()
        gp_first, gp_last, co_first, co_last = others[(k - 1) % len(others)]
        staff.append((f"gp.{short}", gp_first, gp_last, [(place_practices[k][0], Role.GP)]))
        staff.append(
            (f"coordinator.{short}", co_first, co_last, [(_council(k), Role.CARE_COORDINATOR)])
        )
    return staff


def _council(k: int) -> str:
    return f"ZC{k + 1}01"


def _write_csv(path: Path, header: list[str], rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@dataclass
class _Geography:
    places: list[list[str]]  # places.csv rows
    lsoas: list[tuple[str, str, int, str]]  # code, name, decile, neighbourhood code
    lsoa_place: list[int]  # each LSOA's place (index)
    postcodes: list[tuple[str, str, float, float]]  # postcode, LSOA code, lat, long
    postcodes_by_lsoa: dict[str, list[str]]
    hoods: list[list[str]]  # each place's neighbourhood codes


def _geography(*, places: int, residents: int, rng, seed: int) -> _Geography:
    """The places, their LSOAs over every IMD decile, and their postcodes with
    coordinates. The first place draws from ``rng`` (as the one-place borough always has);
    the others from generators of their own, so that adding places leaves it unchanged."""
    geo = _Geography([["system", "QJU", "North Central London-like ICS (demo)", ""]],
                     [], [], [], {}, [])  # fmt: skip
    chosen = PLACES[:places]
    total_lsoas = sum(p.lsoas for p in chosen)
    # About 35 residents to a postcode, as in England (at least 12 to each LSOA).
    per_lsoa = max(12, residents // (total_lsoas * 35))
    # Inner London leans deprived: every decile present, most LSOAs in deciles 2–6.
    decile_weights = np.array([0.14, 0.16, 0.15, 0.13, 0.11, 0.09, 0.08, 0.06, 0.05, 0.03])
    n_areas = len(names.AREA_NAMES)
    for k, place in enumerate(chosen):
        own = rng if k == 0 else np.random.default_rng(seed + 100 + k)
        # Where each postcode is: LSOAs on a grid of 500 m squares 13 wide round the
        # place's centre (neighbourhoods in bands), postcodes scattered inside their LSOA.
        # A separate generator, so adding coordinates left the rest of the borough
        # unchanged.
        place_rng = np.random.default_rng(seed + 7) if k == 0 else own
        geo.places.append(["place", place.code, place.name, "QJU"])
        hoods: list[str] = []
        for n_index, (network_name, hood_names) in enumerate(place.networks, start=1):
            network = f"LCN{n_index}" if k == 0 else f"{place.area}-LCN{n_index}"
            geo.places.append(["lcn", network, f"{network_name} local care network", place.code])
            for h_name in hood_names:
                code = f"NH{len(hoods) + 1}" if k == 0 else f"{place.area}-NH{len(hoods) + 1}"
                hoods.append(code)
                geo.places.append(["neighbourhood", code, h_name, network])
        geo.hoods.append(hoods)
        deciles = np.concatenate(
            [np.arange(1, 11), own.choice(10, size=place.lsoas - 10, p=decile_weights) + 1]
        )
        own.shuffle(deciles)
        in_hood = dict.fromkeys(hoods, 0)
        half_rows = -(-place.lsoas // 13) // 2
        for i in range(place.lsoas):
            code = f"{place.lsoa_prefix}{i:04d}"
            hood_index = i * len(hoods) // place.lsoas
            name = (
                f"{names.AREA_NAMES[i % n_areas]} {i // n_areas + 1:03d}"
                if k == 0
                else f"{place.short} {i + 1:03d}"
            )
            geo.lsoas.append((code, name, int(deciles[i]), hoods[hood_index]))
            geo.lsoa_place.append(k)
            codes = []
            for _ in range(per_lsoa):
                n = in_hood[hoods[hood_index]]
                in_hood[hoods[hood_index]] += 1
                letters = _INWARD_LETTERS[n % 19] + _INWARD_LETTERS[(n // 19) % 19]
                # Districts 1–6 (one per neighbourhood), then 10–69 when they fill up.
                hood = hood_index + 1
                district = hood if n < 3610 else hood * 10 + n // 3610 - 1
                codes.append(f"{place.area}{district} {(n // 361) % 10}{letters}")
            geo.postcodes_by_lsoa[code] = codes
            row, column = divmod(i, 13)
            jitter = place_rng.random((len(codes), 2))
            geo.postcodes += [
                (
                    c,
                    code,
                    round(place.centre[0] + (row - half_rows + jitter[j, 0]) * 0.0045, 6),
                    round(place.centre[1] + (column - 6.5 + jitter[j, 1]) * 0.0072, 6),
                )
                for j, c in enumerate(codes)
            ]
    return geo


def _organisations(*, places: int, hoods: list[list[str]]) -> tuple[list, list, list]:
    """organisations.csv rows (ods_code, name, type, place_code, neighbourhood_code), and
    each place's practices' ODS codes, its voluntary groups' names."""
    chosen = PLACES[:places]
    everywhere = ";".join(p.code for p in chosen)
    first = chosen[0].code
    rows = [[ICB[2], ICB[0], ICB[1], everywhere, ""]]
    practices: list[list[str]] = []
    voluntary: list[list[str]] = []
    for k, place in enumerate(chosen):
        own: list[str] = []
        for p in range(place.practices):
            hood = hoods[k][p * len(hoods[k]) // place.practices]
            if k == 0:
                name = f"{names.STREETS[p % len(names.STREETS)]} Medical Practice"
            else:
                name = f"{names.STREETS[(p + 23 * k) % len(names.STREETS)]} Surgery"
            own.append(f"Z9{k}{p + 1:03d}")
            rows.append([own[-1], name, OrganisationType.GP_PRACTICE, place.code, hood])
        practices.append(own)
        if k == 0:
            rows += [
                [code or "", name, kind, everywhere if all_places else first, ""]
                for name, kind, code, all_places in AGENCIES
            ]
        else:
            rows.append([_council(k), f"{place.short} Council Adult Social Care",
                         OrganisationType.ADULT_SOCIAL_CARE, place.code, ""])  # fmt: skip
        streets = len(names.STREETS)
        for i in range(place.pharmacies):
            if k == 0:
                name = f"{names.STREETS[i % streets]} Pharmacy" + (
                    f" {i // streets + 1}" if i >= streets else ""
                )
                code = f"FZ{i + 1:03d}"
            else:
                name = f"{place.short} {names.STREETS[(i + 31 * k) % streets]} Pharmacy"
                code = f"F{'ZYXW'[k]}{i + 1:03d}"
            rows.append([code, name, OrganisationType.PHARMACY, place.code, ""])
        own_groups = []
        for i in range(place.voluntary):
            kind = VOLUNTARY_KINDS[i % len(VOLUNTARY_KINDS)]
            area = names.AREA_NAMES[i % len(names.AREA_NAMES)] if k == 0 else place.short
            own_groups.append(f"{area} {kind}")
            rows.append(["", own_groups[-1], OrganisationType.VOLUNTARY, place.code, ""])
        voluntary.append(own_groups)
    return rows, practices, voluntary


@transaction.atomic
def build_borough(
    *,
    residents: int,
    seed: int,
    places: int = 1,
    files: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[DemoLogin]:
    """Write the partnership's files (places, LSOAs, postcodes, organisations, staff, the
    registered population, and each place's settings when there are several) into
    ``files`` (``$JOINEDUP_DATA_DIR/demo-files`` unless given) and load them through the
    loaders a partnership going live uses, in one transaction; return the logins."""
    if not 1 <= places <= MAX_PLACES:
        raise ValueError(f"the demo has 1 to {MAX_PLACES} places")
    rng = np.random.default_rng(seed)
    today = date.today()
    say = progress or (lambda stage, done, total: None)
    folder = Path(files) if files else Path(settings.DATA_DIR) / "demo-files"  # as default_files
    folder.mkdir(parents=True, exist_ok=True)

    geo = _geography(places=places, residents=residents, rng=rng, seed=seed)
    loaders.load_places(
        by=None,
        path=_write_csv(folder / "places.csv", ["level", "code", "name", "parent_code"],
                        geo.places),
    )  # fmt: skip
    loaders.load_lsoas(
        by=None,
        path=_write_csv(folder / "lsoas.csv",
                        ["lsoa_code", "name", "imd_decile", "neighbourhood_code"], geo.lsoas),
    )  # fmt: skip
    core_actions.load_postcode_lookup(
        by=None,
        path=_write_csv(folder / "postcodes.csv", ["pcds", "lsoa21cd", "lat", "long"],
                        geo.postcodes),
    )  # fmt: skip
    say("places", 1, 1)

    rows, practices, voluntary = _organisations(places=places, hoods=geo.hoods)
    loaders.load_organisations(
        by=None,
        path=_write_csv(folder / "organisations.csv",
                        ["ods_code", "name", "type", "place_code", "neighbourhood_code"], rows),
    )  # fmt: skip
    # District nursing teams: no staff file row names them yet.
    community = Organisation.objects.get(ods_code="RZ2")
    for hood in Neighbourhood.objects.filter(
        code__in=[code for hoods in geo.hoods for code in hoods]
    ).order_by("pk"):
        core_actions.create_team(by=None, organisation=community, name=f"District nursing – {hood}")
    say("organisations", 1, 1)

    staff = _staff(practices, voluntary[0], places)
    staff_rows = [
        [username, f"{first} {last}", f"{username}@joinedup.invalid", organisation,
         Role(role).label, ""]
        for username, first, last, memberships in staff
        for organisation, role in memberships
    ]  # fmt: skip
    loaders.load_staff(
        by=None,
        path=_write_csv(folder / "staff.csv",
                        ["username", "name", "email", "organisation", "role", "team"],
                        staff_rows),
        site="http://localhost:8000",
        send_links=False,
    )  # fmt: skip
    core_actions.set_known_password(
        by=None, usernames=[s[0] for s in staff], password_hash=make_password(DEMO_PASSWORD)
    )
    by_key = {}
    for organisation in Organisation.objects.all():
        by_key[organisation.ods_code or organisation.name] = organisation.name
    logins = []
    for username, first, last, memberships in staff:
        for organisation, role in memberships:
            note = (
                "two-factor: scan the QR code at first sign-in"
                if role in (Role.ORG_ADMIN, Role.SYSTEM_ADMIN)
                else ""
            )
            logins.append(
                DemoLogin(username, f"{first} {last}", Role(role).label, by_key[organisation], note)
            )
    say("staff", 1, 1)

    _load_residents(
        residents=residents,
        rng=rng,
        today=today,
        geo=geo,
        practices=practices,
        practice_hoods={r[0]: r[4] for r in rows if r[2] == OrganisationType.GP_PRACTICE},
        folder=folder,
        say=say,
    )
    settings_file = folder / "settings.json"
    settings_file.unlink(missing_ok=True)
    if places > 1:
        wanted = {
            "system": PLACE_SETTINGS["system"],
            "places": {
                code: values
                for code, values in PLACE_SETTINGS["places"].items()
                if code in {p.code for p in PLACES[:places]}
            },
        }
        settings_file.write_text(json.dumps(wanted, indent=2) + "\n", encoding="utf-8")
        import_settings(by=None, path=settings_file, note="the demo's places")
    return logins


def _load_residents(*, residents, rng, today, geo, practices, practice_hoods, folder, say):
    numbers = nhs_numbers(residents, rng)
    births = _birth_dates(residents, rng, today)
    sexes = rng.choice(["female", "male"], size=residents, p=[0.51, 0.49])
    ethnic_codes = list(names.ETHNICITY_SHARES)
    shares = np.array(list(names.ETHNICITY_SHARES.values()))
    ethnicity = rng.choice(len(ethnic_codes), size=residents, p=shares / shares.sum())
    all_practices = [code for own in practices for code in own]
    lsoa_index = rng.integers(0, len(geo.lsoas), size=residents)
    stays_local = rng.random(residents) < 0.85
    # Someone registered away from home is registered in their own place.
    any_practice = rng.integers(0, len(all_practices), size=residents)
    practices_by_hood: dict[str, list[str]] = {}
    for code in all_practices:
        practices_by_hood.setdefault(practice_hoods[code], []).append(code)
    picks = rng.random((residents, 8))
    house = rng.integers(1, 80, size=residents)
    needs_codes = CommunicationNeed.values
    rows = []
    details = []
    for i in range(residents):
        code = ethnic_codes[ethnicity[i]]
        pool = names.ETHNICITY_POOL[code]
        sex = str(sexes[i])
        lsoa_code, _, _, hood = geo.lsoas[lsoa_index[i]]
        own = practices[geo.lsoa_place[lsoa_index[i]]]
        local = practices_by_hood.get(hood, [])
        practice = (
            local[int(picks[i, 0] * len(local))]
            if stays_local[i] and local
            else own[any_practice[i] % len(own)]
        )
        postcodes = geo.postcodes_by_lsoa[lsoa_code]
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
                "date_of_birth": birth.isoformat(),
                "sex": sex,
                "postcode": postcode,
                "address": f"{house[i]} {names.street_for(postcode)}, London",
                "practice": practice,
                "date_of_death": (today - timedelta(days=int(picks[i, 7] * 700))).isoformat()
                if died
                else "",
                "ethnicity": code,
                "language": names.LANGUAGE_BY_POOL.get(pool, "English")
                if non_english
                else "English",
                "interpreter_needed": "yes" if non_english and picks[i, 2] < 0.6 else "no",
                # A GP registration's number is traced against the national record.
                "nhs_number_status": "01",
            }
        )
        # What a registration file does not carry: set after the load.
        details.append(
            {
                "phone": f"07700 900{i % 1000:03d}",  # Ofcom drama range
                **({"communication_needs": needs} if needs else {}),
                **({"national_data_opt_out": True} if picks[i, 4] > 0.945 else {}),
            }
        )
    # Twins (about 1 in 60 births): the next resident shares a birthday, surname and
    # address with the one before, with another first name — the hardest case for linkage.
    twins = np.nonzero(rng.random(residents) < 0.008)[0]
    for i in twins[twins > 0]:
        sibling, twin = rows[i - 1], rows[i]
        for key in (
            "date_of_birth",
            "family_name",
            "address",
            "postcode",
            "practice",
            "ethnicity",
            "date_of_death",
        ):
            twin[key] = sibling[key]
        pool = names.GIVEN[names.ETHNICITY_POOL[sibling["ethnicity"]]][twin["sex"]]
        others = [n for n in pool if n != sibling["given_name"]]
        twin["given_name"] = others[int(rng.integers(0, len(others)))]
    total = len(rows)
    path = folder / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["nhs_number"])
        writer.writeheader()
        writer.writerows(rows)
    loaded = load_people(by=None, path=path, progress=lambda done: say("residents", done, total))
    if loaded.run.quarantined:
        raise RuntimeError(
            f"the demo's registration file has {loaded.run.quarantined} bad rows: "
            f"{loaded.run.problems[:3]}"
        )
    ids = dict(Person.objects.values_list("nhs_number", "pk"))
    people_actions.bulk_set_details(
        by=None,
        details={ids[row["nhs_number"]]: extra for row, extra in zip(rows, details, strict=True)},
        source="synthetic borough",
    )

    # Carers: about 4% of adults over 65 have a carer who is another resident,
    # and 10% of everyone has a next-of-kin contact known by name only.
    people = list(Person.objects.order_by("pk").values_list("pk", "birth_date", "date_of_death"))
    older = [pk for pk, born, _ in people if (today - born).days > 65 * 365]
    adults = [pk for pk, born, _ in people if 18 * 365 < (today - born).days < 80 * 365]
    dead = {pk for pk, _, died in people if died}
    relationship_rows = []
    if older and adults:
        for pk in older:
            if rng.random() < 0.04:
                carer = adults[int(rng.integers(0, len(adults)))]
                # As the registration file ends a dead person's carers, none are added.
                if carer != pk and pk not in dead and carer not in dead:
                    relationship_rows.append(
                        {
                            "person_id": pk,
                            "type": RelationshipType.CARER,
                            "related_person_id": carer,
                            "relationship_description": "family member",
                        }
                    )
    british = names.GIVEN["british"]["female"] + names.GIVEN["british"]["male"]
    for n, (pk, _, _) in enumerate(people[::10]):
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
