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

from joinedup.core.models import LocalCareNetwork, Neighbourhood, Organisation, Place, Postcode
from joinedup.directory import needs

# (kind of organisation, name patterns)
ORGANISATIONS = (
    ("voluntary", "{area} Age Well"),
    ("voluntary", "{area} Carers Centre"),
    ("voluntary", "{area} Mind"),
    ("voluntary", "{area} Citizens Advice"),
    ("voluntary", "{area} Food Bank"),
    ("voluntary", "{area} Befriending Network"),
    ("voluntary", "{area} Housing Advice Trust"),
    ("voluntary", "{area} Disability Forum"),
    ("voluntary", "{area} Women's Aid"),
    ("voluntary", "{area} Community Kitchen"),
    ("faith", "St {saint}'s Church"),
    ("faith", "{area} Mosque Welfare Committee"),
    ("faith", "{area} Gurdwara Seva"),
    ("community", "{area} Community Centre"),
    ("community", "{area} Tenants' and Residents' Association"),
    ("council", "Borough Council: {team}"),
    ("nhs", "Community Health Trust: {nhs}"),
)
AREAS = (
    "Northfield", "Southgate", "Eastbrook", "Westmoor", "Highbury Vale", "Riverside",
    "Canal Side", "Parkway", "Old Town", "Market Hill",
)  # fmt: skip
SAINTS = ("Mary", "John", "Luke", "Anne", "Peter", "Paul", "Michael", "Stephen")
TEAMS = ("Adult Social Care", "Housing Options", "Welfare Rights", "Libraries", "Public Health")
NHS_TEAMS = ("Falls Service", "Memory Service", "Talking Therapies", "Diabetes Education")

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
    organisations = _organisations(max(1, services // 3), rng)
    contents = []
    for n in range(services):
        organisation = organisations[n % len(organisations)]
        template = SERVICES[int(rng.integers(len(SERVICES)))]
        contents.append(
            _service(
                n, organisation, template, rng, today, postcodes, borough, networks, hoods,
                practices,
            )
        )  # fmt: skip
    return {"total_items": len(contents), "contents": contents}


def _organisations(count: int, rng: np.random.Generator) -> list[dict]:
    out, seen = [], set()
    i = 0
    while len(out) < count:
        kind, pattern = ORGANISATIONS[i % len(ORGANISATIONS)]
        name = pattern.format(
            area=AREAS[(i // len(ORGANISATIONS)) % len(AREAS)],
            saint=SAINTS[i % len(SAINTS)],
            team=TEAMS[i % len(TEAMS)],
            nhs=NHS_TEAMS[i % len(NHS_TEAMS)],
        )
        if i >= len(ORGANISATIONS) * len(AREAS):
            name = f"{name} ({i // (len(ORGANISATIONS) * len(AREAS)) + 1})"
        i += 1
        if name in seen:
            continue
        seen.add(name)
        slug = name.lower().replace(" ", "").replace("'", "").replace(":", "")[:30]
        out.append(
            {
                "id": _id("organisation", name),
                "name": name,
                "description": f"{name}: a {kind} organisation working in the borough.",
                "email": f"hello@{slug}.example.org",
                "website": f"https://{slug}.example.org",
            }
        )
    return out


def _service(n, organisation, template, rng, today, postcodes, borough, networks, hoods,
             practices) -> dict:  # fmt: skip
    name, description, codes, pattern, cost, (low, high), carers_only = template
    service_id = _id("service", n)
    area_name = organisation["name"].split(" ")[0]
    record = {
        "id": service_id,
        "organization_id": organisation["id"],
        "organization": organisation,
        "name": f"{name} ({area_name})" if n >= len(SERVICES) else name,
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
    """Let the demo's partner organisations work their directory entries' referrals:
    council teams through adult social care, NHS services through the community trust,
    voluntary and community groups through the partnership's voluntary organisations.
    Faith groups are left taking referrals by phone or email. Returns how many linked."""
    from joinedup.core.models import OrganisationType
    from joinedup.directory.models import DirectoryOrganisation

    voluntary = list(Organisation.objects.filter(type=OrganisationType.VOLUNTARY).order_by("pk"))
    council = Organisation.objects.filter(type=OrganisationType.ADULT_SOCIAL_CARE).first()
    trust = Organisation.objects.filter(type=OrganisationType.COMMUNITY_TRUST).first()
    linked = 0
    for i, entry in enumerate(DirectoryOrganisation.objects.order_by("pk")):
        if entry.name.startswith("Borough Council"):
            partner = council
        elif entry.name.startswith("Community Health Trust"):
            partner = trust
        elif any(w in entry.name for w in ("Church", "Mosque", "Gurdwara")):
            partner = None
        else:
            partner = voluntary[i % len(voluntary)] if voluntary else None
        if partner is not None:
            entry.partner = partner
            entry.save(update_fields=["partner"])
            linked += 1
    return linked
