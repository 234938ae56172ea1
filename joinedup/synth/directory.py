"""The demo borough's service directory, written as an HSDS 3.0 feed and imported through
the same importer as any real feed: 100+ organisations (voluntary groups, council teams,
NHS services, faith and community groups) and their services, each with locations at the
borough's postcodes (step-free or not), weekly or monthly opening times, a catchment (the
borough, one local care network, one neighbourhood or one practice list), ages, costs,
languages and the needs it helps with.

Example::

    feed = directory_feed(services=330, seed=1)   # {"contents": [...]}
"""

import uuid
from datetime import date, timedelta

import numpy as np

from joinedup.core.models import (
    LocalCareNetwork,
    Neighbourhood,
    Organisation,
    OrganisationType,
    Place,
    Postcode,
)
from joinedup.directory import needs

# (kind of organisation, name pattern, the services it runs: names from SERVICES). Each
# organisation runs what an organisation of its kind would: a carers centre runs carers'
# groups, the council's welfare rights team gives benefits advice, and so on.
ORGANISATIONS = (
    ("voluntary", "{area} Age Well", ("Lunch club", "Befriending", "Home from hospital",
                                      "Strength and balance classes", "Social prescribing")),
    ("voluntary", "{area} Carers Centre", ("Carers' support group",
                                           "Carers' assessment and breaks", "Memory café")),
    ("voluntary", "{area} Mind", ("Talking therapies", "Peer support group")),
    ("voluntary", "{area} Citizens Advice", ("Benefits advice", "Debt advice", "Housing advice",
                                             "Employment support")),
    ("voluntary", "{area} Food Bank", ("Food bank",)),
    ("voluntary", "{area} Befriending Network", ("Befriending", "Lunch club")),
    ("voluntary", "{area} Housing Advice Trust", ("Housing advice",
                                                  "Home repairs and adaptations")),
    ("voluntary", "{area} Disability Forum", ("Sight and hearing loss support",
                                              "Interpreting and advocacy",
                                              "Digital skills drop-in")),
    ("voluntary", "{area} Women's Aid", ("Domestic abuse advice line",)),
    ("voluntary", "{area} Community Kitchen", ("Lunch club", "Food bank")),
    ("faith", "St {saint}'s Church", ("Lunch club", "Befriending", "Food bank")),
    ("faith", "{area} Mosque Welfare Committee", ("Food bank", "Befriending", "Lunch club")),
    ("faith", "{area} Gurdwara Seva", ("Lunch club", "Food bank")),
    ("community", "{area} Community Centre", ("Lunch club", "Walking group",
                                              "Digital skills drop-in", "Employment support")),
    ("community", "{area} Tenants' and Residents' Association", ("Digital skills drop-in",
                                                                 "Walking group")),
    ("council", "Borough Council: {team}", None),
    ("nhs", "Community Health Trust: {nhs}", None),
)  # fmt: skip
AREAS = (
    "Northfield", "Southgate", "Eastbrook", "Westmoor", "Highbury Vale", "Riverside",
    "Canal Side", "Parkway", "Old Town", "Market Hill",
)  # fmt: skip
SAINTS = ("Mary", "John", "Luke", "Anne", "Peter", "Paul", "Michael", "Stephen")
# The council's teams and the community trust's services, each with what it runs.
TEAMS = (
    ("Adult Social Care", ("Carers' assessment and breaks", "Home repairs and adaptations")),
    ("Housing Options", ("Housing advice",)),
    ("Welfare Rights", ("Benefits advice", "Debt advice")),
    ("Libraries", ("Digital skills drop-in",)),
    ("Public Health", ("Walking group",)),
)
NHS_TEAMS = (
    ("Falls Service", ("Falls assessment", "Strength and balance classes")),
    ("Memory Service", ("Memory assessment", "Memory café")),
    ("Talking Therapies", ("Talking therapies",)),
    ("Diabetes Education", ("Diabetes education",)),
    ("Respiratory Service", ("Breathe easy group",)),
)
# The borough's own voluntary organisations (synth.borough.VOLUNTARY_KINDS) are in the
# directory under their own names, running what their kind runs, and work their referrals
# in joinedup themselves.
BOROUGH_VOLUNTARY = {
    "Age Concern": ("Lunch club", "Befriending", "Social prescribing", "Home from hospital",
                    "Strength and balance classes"),
    "Carers Centre": ("Carers' support group", "Carers' assessment and breaks"),
    "Food Bank": ("Food bank",),
    "Mind": ("Talking therapies", "Peer support group"),
    "Community Centre": ("Lunch club", "Walking group", "Digital skills drop-in"),
    "Settlement": ("Employment support", "Benefits advice", "Digital skills drop-in"),
    "Befriending Scheme": ("Befriending", "Lunch club"),
    "Advice Centre": ("Benefits advice", "Debt advice", "Housing advice"),
    "Women's Centre": ("Domestic abuse advice line", "Peer support group"),
    "Refugee Support": ("Interpreting and advocacy", "Employment support"),
}  # fmt: skip

# (service name, description, need codes, pattern, cost, ages, carers only)
# pattern: "office" weekdays 9–5; "session" one or two sessions a week; "monthly" first
# or third of a weekday; "phone" a helpline with no building.
SERVICES = (
    ("Lunch club", "A hot two-course lunch and company, with transport for those who need it.",
     ("loneliness", "daily-living"), "session", 4.50, (55, None), False),
    ("Befriending", "A trained volunteer visits or phones each week for a chat.",
     ("loneliness",), "phone", None, (18, None), False),
    ("Benefits advice", "Help to check and claim the benefits you are entitled to, and with forms.",
     ("money",), "office", None, (18, None), False),
    ("Debt advice", "Free, confidential advice on debts, arrears and dealing with creditors.",
     ("money",), "office", None, (18, None), False),
    ("Carers' support group", "Meet other unpaid carers, share tips and take a break.",
     ("caring", "mental-wellbeing"), "monthly", None, (18, None), True),
    ("Carers' assessment and breaks", "Advice, carers' assessments and short breaks for carers.",
     ("caring",), "office", None, (16, None), True),
    ("Talking therapies", "Counselling and CBT for anxiety, low mood and stress. Self-referral.",
     ("mental-wellbeing",), "office", None, (18, None), False),
    ("Peer support group", "A weekly group run by people with lived experience.",
     ("mental-wellbeing", "loneliness"), "session", None, (18, None), False),
    ("Memory café", "A friendly café for people living with dementia and those who care for them.",
     ("memory", "caring", "loneliness"), "monthly", None, (None, None), False),
    ("Strength and balance classes", "Falls prevention exercise classes led by a physiotherapist.",
     ("mobility-falls", "being-active"), "session", 2.00, (60, None), False),
    ("Memory assessment", "Assessment for people worried about their memory, and support "
     "after a diagnosis of dementia.", ("memory",), "office", None, (18, None), False),
    ("Falls assessment", "Assessment and advice after a fall, with home hazard checks.",
     ("mobility-falls",), "office", None, (65, None), False),
    ("Walking group", "Gentle health walks of 30 to 60 minutes, every week, all welcome.",
     ("being-active", "loneliness"), "session", None, (None, None), False),
    ("Diabetes education", "A structured course to help you manage type 2 diabetes.",
     ("ltc-support",), "session", None, (18, None), False),
    ("Breathe easy group", "A support group for people living with COPD and other lung conditions.",
     ("ltc-support", "loneliness"), "monthly", None, (18, None), False),
    ("Housing advice", "Advice on renting, repairs, damp, eviction and homelessness.",
     ("housing",), "office", None, (16, None), False),
    ("Home repairs and adaptations", "Small repairs, grab rails and adaptations at home.",
     ("housing", "daily-living", "mobility-falls"), "office", None, (60, None), False),
    ("Food bank", "Emergency food parcels, with a referral from a professional.",
     ("daily-living", "money"), "session", None, (None, None), False),
    ("Domestic abuse advice line", "Confidential support for anyone affected by domestic abuse.",
     ("safety",), "phone", None, (16, None), False),
    ("Digital skills drop-in", "Help to use a phone, tablet or computer, and to get online.",
     ("communication", "work"), "session", None, (None, None), False),
    ("Employment support", "Help to find work, write a CV and prepare for interviews.",
     ("work",), "office", None, (18, 66), False),
    ("Interpreting and advocacy", "Community interpreters and advocates in many languages.",
     ("communication",), "office", None, (None, None), False),
    ("Sight and hearing loss support", "Equipment, advice and groups for people with sensory loss.",
     ("communication", "ltc-support"), "monthly", None, (None, None), False),
    ("Home from hospital", "Practical help for the first weeks at home after a hospital stay.",
     ("daily-living", "mobility-falls"), "phone", None, (50, None), False),
    ("Social prescribing", "A link worker helps you find activities and support.",
     ("loneliness", "mental-wellbeing", "money", "being-active"), "office", None,
     (18, None), False),
)  # fmt: skip
BY_NAME = {service[0]: service for service in SERVICES}
LANGUAGES = (("Bengali", "ben"), ("Turkish", "tur"), ("Polish", "pol"), ("Somali", "som"),
             ("Urdu", "urd"), ("Portuguese", "por"))  # fmt: skip
DAYS = ("MO", "TU", "WE", "TH", "FR")


def _id(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "joinedup-demo/" + "/".join(map(str, parts))))


def directory_feed(*, services: int = 330, seed: int = 1, today: date | None = None) -> dict:
    """An HSDS 3.0 page of ``services`` services of about services / 3 organisations."""
    rng = np.random.default_rng(seed)
    today = today or date.today()
    postcodes = list(
        Postcode.objects.filter(latitude__isnull=False)
        .order_by("postcode")
        .values_list("postcode", "latitude", "longitude")
    )
    if not postcodes:
        raise ValueError("the borough has no postcodes with coordinates: run `joinedup synth`")
    borough = Place.objects.order_by("pk").values_list("name", flat=True).first() or "Borough"
    networks = list(LocalCareNetwork.objects.order_by("code").values_list("name", flat=True))
    hoods = list(Neighbourhood.objects.order_by("code").values_list("name", flat=True))
    practices = list(
        Organisation.objects.filter(type="gp_practice")
        .exclude(ods_code=None)
        .order_by("ods_code")
        .values_list("ods_code", "name")
    )
    organisations = _organisations(max(1, services // 3))
    contents = []
    for n in range(services):
        organisation, runs, area = organisations[n % len(organisations)]
        template = BY_NAME[runs[(n // len(organisations)) % len(runs)]]
        contents.append(
            _service(
                n, organisation, template, area, rng, today, postcodes, borough, networks,
                hoods, practices,
            )
        )  # fmt: skip
    return {"total_items": len(contents), "contents": contents}


def _organisations(count: int) -> list[tuple[dict, tuple[str, ...], str]]:
    """``count`` organisations (at least the borough's voluntary ones), each with the
    services it runs and the area it is named for ("" for borough-wide ones)."""
    out, seen = [], set()
    for name in (
        Organisation.objects.filter(type=OrganisationType.VOLUNTARY)
        .order_by("pk")
        .values_list("name", flat=True)
    ):
        kind = next((k for k in BOROUGH_VOLUNTARY if name.endswith(f" {k}")), None)
        if kind is not None and name not in seen:
            seen.add(name)
            area = name[: -len(kind) - 1]
            out.append((_organisation(name, "voluntary"), BOROUGH_VOLUNTARY[kind], area))
    i = 0
    while len(out) < count:
        kind, pattern, runs = ORGANISATIONS[i % len(ORGANISATIONS)]
        area = AREAS[(i // len(ORGANISATIONS)) % len(AREAS)]
        team, team_runs = TEAMS[i % len(TEAMS)]
        nhs, nhs_runs = NHS_TEAMS[i % len(NHS_TEAMS)]
        name = pattern.format(area=area, saint=SAINTS[i % len(SAINTS)], team=team, nhs=nhs)
        runs = runs or (team_runs if kind == "council" else nhs_runs)
        if "{area}" not in pattern:
            area = ""
        if i >= len(ORGANISATIONS) * len(AREAS):
            name = f"{name} ({i // (len(ORGANISATIONS) * len(AREAS)) + 1})"
        i += 1
        if name in seen:
            continue
        seen.add(name)
        out.append((_organisation(name, kind), runs, area))
    return out


def _organisation(name: str, kind: str) -> dict:
    slug = name.lower().replace(" ", "").replace("'", "").replace(":", "")[:30]
    return {
        "id": _id("organisation", name),
        "name": name,
        "description": f"{name}: a {kind} organisation working in the borough.",
        "email": f"hello@{slug}.example.org",
        "website": f"https://{slug}.example.org",
    }


def _service(n, organisation, template, area, rng, today, postcodes, borough, networks, hoods,
             practices) -> dict:  # fmt: skip
    name, description, codes, pattern, cost, (low, high), carers_only = template
    service_id = _id("service", n)
    record = {
        "id": service_id,
        "organization_id": organisation["id"],
        "organization": organisation,
        "name": f"{name} ({area})" if area else name,
        "description": description,
        "status": "active",
        "url": organisation["website"] + f"/services/{n}",
        "email": organisation["email"],
        "minimum_age": low,
        "maximum_age": high,
        "eligibility_description": (
            "For unpaid carers looking after a family member or friend."
            if carers_only
            else (f"For people aged {low} and over." if low else "Open to everyone.")
        ),  # fmt: skip
        "fees_description": "" if cost is None else f"£{cost:.2f} a session",
        "assured_date": (today - timedelta(days=int(rng.integers(10, 480)))).isoformat(),
        "last_modified": f"{today - timedelta(days=int(rng.integers(1, 400)))}T09:00:00Z",
        "phones": [{"id": _id(n, "phone"), "number": f"020 7946 {n % 10000:04d}"}],
        "contacts": [{"id": _id(n, "contact"), "name": "Duty worker", "title": "Referrals"}],
        "attributes": [
            {
                "id": _id(n, "attribute", code),
                "taxonomy_term": {
                    "id": needs.term_id(code),
                    "name": needs.BY_CODE[code].name,
                    "description": needs.BY_CODE[code].description,
                    "taxonomy_id": needs.TAXONOMY_ID,
                },
            }
            for code in codes
        ],
        "languages": [{"id": _id(n, "language", "eng"), "name": "English", "code": "eng"}]
        + [
            {"id": _id(n, "language", code), "name": lang, "code": code}
            for lang, code in (
                LANGUAGES[int(i)]
                for i in rng.choice(len(LANGUAGES), int(rng.integers(0, 3)), replace=False)
            )
        ],  # fmt: skip
        "cost_options": (
            []
            if cost is None
            else [
                {"id": _id(n, "cost"), "option": "Per session", "amount": cost, "currency": "GBP"}
            ]
        ),  # fmt: skip
    }
    # Catchment: half the borough, then a network, a neighbourhood or a practice list.
    pick = rng.random()
    if pick < 0.5 or not networks:
        area = borough
    elif pick < 0.75:
        area = networks[int(rng.integers(len(networks)))]
    elif pick < 0.95 or not practices:
        area = hoods[int(rng.integers(len(hoods)))]
    else:
        area = practices[int(rng.integers(len(practices)))][0]
    record["service_areas"] = [{"id": _id(n, "area"), "name": area, "extent_type": "text"}]
    schedules = _schedules(n, pattern, rng)
    if pattern == "phone":
        record["schedules"] = schedules
        record["service_at_locations"] = []
        record["description"] += " By phone: no need to travel."
        return record
    locations = []
    for k in range(1 + int(rng.random() < 0.2)):
        postcode, lat, lon = postcodes[int(rng.integers(len(postcodes)))]
        step_free = rng.random() < 0.7
        locations.append(
            {
                "id": _id(n, "service_at_location", k),
                "schedules": schedules if k == 0 else _schedules(f"{n}-{k}", pattern, rng),
                "location": {
                    "id": _id(n, "location", k),
                    "location_type": "physical",
                    "name": f"{organisation['name']} hall" if k == 0 else "Outreach room",
                    "latitude": lat,
                    "longitude": lon,
                    "addresses": [
                        {
                            "id": _id(n, "address", k),
                            "address_1": f"{int(rng.integers(1, 200))} High Street",
                            "city": "London",
                            "state_province": "Greater London",
                            "postal_code": postcode,
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                    "accessibility": [
                        {
                            "id": _id(n, "access", k),
                            "description": (
                                "Step-free entrance and an accessible toilet; hearing loop."
                                if step_free
                                else "Three steps at the entrance; no lift to the first floor."
                            ),
                        }
                    ],
                },
            }
        )
    record["service_at_locations"] = locations
    return record


def _schedules(n, pattern: str, rng: np.random.Generator) -> list[dict]:
    if pattern in ("office", "phone"):
        late = rng.random() < 0.2
        return [
            {
                "id": _id(n, "schedule", "office"),
                "freq": "WEEKLY",
                "byday": ",".join(DAYS),
                "opens_at": "09:00:00",
                "closes_at": "20:00:00" if late else "17:00:00",
            }
        ] + (
            [{"id": _id(n, "schedule", "sat"), "freq": "WEEKLY", "byday": "SA",
              "opens_at": "10:00:00", "closes_at": "13:00:00"}]
            if rng.random() < 0.3 else []
        )  # fmt: skip
    if pattern == "session":
        days = rng.choice(len(DAYS), 1 + int(rng.random() < 0.4), replace=False)
        start = int(rng.choice([10, 11, 13, 14, 18]))
        return [
            {
                "id": _id(n, "schedule", DAYS[int(d)]),
                "freq": "WEEKLY",
                "byday": DAYS[int(d)],
                "opens_at": f"{start:02d}:00:00",
                "closes_at": f"{start + 2:02d}:00:00",
            }
            for d in days
        ]
    nth = int(rng.choice([1, 3]))
    day = DAYS[int(rng.integers(len(DAYS)))]
    return [
        {
            "id": _id(n, "schedule", "monthly"),
            "freq": "MONTHLY",
            "byday": f"{nth}{day}",
            "opens_at": "14:00:00",
            "closes_at": "16:00:00",
        }
    ]


def link_partners() -> int:
    """Let the demo's partner organisations work their directory entries' referrals: the
    borough's voluntary organisations their own, council teams through adult social care,
    NHS services through the community trust. Other groups (faith groups, charities not in
    the partnership) take referrals by phone or email. Returns how many are linked."""
    from joinedup.directory.models import DirectoryOrganisation

    voluntary = {o.name: o for o in Organisation.objects.filter(type=OrganisationType.VOLUNTARY)}
    council = Organisation.objects.filter(type=OrganisationType.ADULT_SOCIAL_CARE).first()
    trust = Organisation.objects.filter(type=OrganisationType.COMMUNITY_TRUST).first()
    linked = 0
    for entry in DirectoryOrganisation.objects.order_by("pk"):
        if entry.name.startswith("Borough Council"):
            partner = council
        elif entry.name.startswith("Community Health Trust"):
            partner = trust
        else:
            partner = voluntary.get(entry.name)
        if partner is not None:
            entry.partner = partner
            entry.save(update_fields=["partner"])
            linked += 1
    return linked
