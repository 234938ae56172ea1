"""Search by need, keyword with typos, postcode and distance, catchment, eligibility and
opening times, applied together, each result saying why it matched."""

import json
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from joinedup.directory import actions, needs
from joinedup.directory.models import Schedule, Service
from joinedup.directory.search import Criteria, describe, is_open, open_on, search

ORG = {"id": "org-1", "name": "Northfield Age Well"}
TUESDAY = datetime(2026, 12, 1, 11, 30)  # a Tuesday


def need(code: str) -> dict:
    return {"id": f"a-{code}", "taxonomy_term": {"id": needs.term_id(code)}}


def place(key: str, lat: float, lon: float, step_free=True) -> dict:
    return {
        "id": f"sal-{key}",
        "location": {
            "id": f"loc-{key}",
            "location_type": "physical",
            "name": f"Hall {key}",
            "latitude": lat,
            "longitude": lon,
            "accessibility": [
                {"description": "Wheelchair access" if step_free else "Steps at the door"}
            ],
        },
    }


def service(key: str, name: str, **extra) -> dict:
    return {"id": key, "name": name, "status": "active", "organization": ORG, **extra}


def weekly(days: str, opens="10:00", closes="12:00") -> list[dict]:
    return [{"freq": "WEEKLY", "byday": days, "opens_at": opens, "closes_at": closes}]


@pytest.fixture
def directory(world):
    feed = [
        service(
            "lunch-near",
            "Lunch club",
            description="Hot lunch and company",
            attributes=[need("loneliness")],
            service_at_locations=[place("a", 51.551, -0.06)],  # ~0.1 km from JU1 1AA
            schedules=weekly("TU,TH"),
            service_areas=[{"name": "North LCN"}],
            minimum_age=55,
        ),
        service(
            "lunch-far",
            "Lunch club (Southgate)",
            attributes=[need("loneliness")],
            service_at_locations=[place("b", 51.59, -0.06)],  # ~4.4 km away
            schedules=weekly("TU"),
        ),
        service(
            "lunch-other-lcn",
            "Lunch club (South)",
            attributes=[need("loneliness")],
            service_at_locations=[place("c", 51.552, -0.06)],
            schedules=weekly("TU"),
            service_areas=[{"name": "South LCN"}],
        ),
        service(
            "lunch-monday",
            "Lunch club (Mondays)",
            attributes=[need("loneliness")],
            service_at_locations=[place("d", 51.551, -0.061, step_free=False)],
            schedules=weekly("MO"),
            cost_options=[{"amount": 4.5, "option": "Lunch"}],
        ),
        service(
            "befriending",
            "Befriending by phone",
            description="A volunteer phones each week",
            attributes=[need("loneliness")],
            schedules=weekly("MO,TU,WE,TH,FR", "09:00", "17:00"),
        ),
        service(
            "carers",
            "Carers' lunch",
            eligibility_description="For unpaid carers",
            attributes=[need("caring"), need("loneliness")],
            service_at_locations=[place("e", 51.551, -0.06)],
            schedules=[
                {"freq": "MONTHLY", "byday": "1TU", "opens_at": "11:00", "closes_at": "13:00"}
            ],
        ),
        service(
            "benefits",
            "Benefits advice",
            attributes=[need("money")],
            service_at_locations=[place("f", 51.551, -0.06)],
        ),
    ]
    actions.import_feed(by=None, source="test.json", data=json.dumps(feed).encode())


def ids(found) -> list[str]:
    return [r.service.oruk_id for r in found.results]


def test_need_keyword_place_distance_and_open_now_together(directory):
    found = search(
        Criteria(
            text="lunch clib",  # a typo
            needs=["loneliness"],
            postcode="ju1 1aa",
            within_km=2,
            open_at=TUESDAY,
        )
    )
    # lunch-far is too far, lunch-other-lcn is another network's, lunch-monday is shut,
    # carers' is for carers; befriending is phoned, not "lunch".
    assert ids(found) == ["lunch-near"]
    assert found.corrections == {"clib": ["club"]}
    reasons = found.results[0].reasons
    assert "Helps with loneliness and social contact" in reasons
    assert "'club' is in its name (you typed 'clib')" in reasons
    assert "110 m from JU1 1AA" in reasons
    assert "Covers North LCN" in reasons
    assert "Open now until 12:00" in reasons


def test_each_filter_on_its_own(directory):
    assert "lunch-far" in ids(search(Criteria(text="lunch", postcode="JU1 1AA", within_km=5)))
    # Nearest first.
    assert ids(search(Criteria(text="lunch", postcode="JU1 1AA", within_km=5)))[0] == "lunch-near"
    # A phone service has no building: kept in a distance search, and said so.
    phoned = search(Criteria(needs=["loneliness"], postcode="JU1 1AA", within_km=1))
    assert "befriending" in ids(phoned)
    assert any(
        "By phone or online" in r for r in phoned.results[ids(phoned).index("befriending")].reasons
    )
    assert "lunch-monday" not in ids(search(Criteria(text="lunch", free=True)))
    assert "lunch-monday" not in ids(search(Criteria(text="lunch", step_free=True)))
    assert "lunch-near" not in ids(search(Criteria(text="lunch", age=40)))
    assert "lunch-near" in ids(search(Criteria(text="lunch", age=70)))
    assert "carers" not in ids(search(Criteria(needs=["loneliness"])))
    assert "carers" in ids(search(Criteria(needs=["loneliness"], carer=True)))
    # The first Tuesday of December 2026 is the 1st; the 8th is the second.
    assert "carers" in ids(search(Criteria(carer=True, needs=["caring"], open_at=TUESDAY)))
    second = TUESDAY.replace(day=8)
    assert "carers" not in ids(search(Criteria(carer=True, needs=["caring"], open_at=second)))
    assert ids(search(Criteria(text="lunch", day="MO"))) == ["lunch-monday"]
    assert ids(search(Criteria(text="benefts"))) == ["benefits"]


def test_bad_postcodes_are_explained(directory):
    with pytest.raises(ValidationError, match="not a UK postcode"):
        search(Criteria(postcode="nowhere"))
    with pytest.raises(ValidationError, match="ZZ9 9ZZ is not in the postcode lookup"):
        search(Criteria(postcode="zz99zz"))


def test_schedules_in_words_and_open_at(directory):
    monthly = Schedule.objects.get(service__oruk_id="carers")
    assert describe(monthly) == "first Tuesday of the month, 11:00 to 13:00"
    assert is_open(monthly, TUESDAY) and not is_open(monthly, TUESDAY.replace(hour=14))
    weekly_one = Schedule.objects.filter(service__oruk_id="lunch-near").get()
    assert describe(weekly_one) == "Tuesdays, Thursdays, 10:00 to 12:00"


def test_imported_parts_are_searchable(directory):
    near = Service.objects.get(oruk_id="lunch-near")
    assert not near.for_carers and near.is_free
    assert Service.objects.get(oruk_id="carers").for_carers
    assert not Service.objects.get(oruk_id="lunch-monday").is_free
    assert near.areas.get().kind == "network" and near.areas.get().code == "LCNN"


def test_monthly_rules_in_the_index_agree_with_the_icalendar_rule(world):
    from datetime import date, timedelta

    from joinedup.directory import index

    rules = {"last-tue": "-1TU", "first-third-thu": "1TH,3TH", "second-mon": "2MO"}
    feed = [
        service(key, key, schedules=[{"freq": "MONTHLY", "byday": byday}])
        for key, byday in rules.items()
    ]
    actions.import_feed(by=None, source="m", data=json.dumps(feed).encode())
    index.forget()
    found = index.current()
    everything = found.all()
    for offset in range(62):
        day = date(2026, 12, 1) + timedelta(days=offset)
        open_now = found.open_on(day, None, everything)
        for schedule in Schedule.objects.select_related("service"):
            position = int(found.pks.tolist().index(schedule.service_id))
            assert bool(open_now[position]) == open_on(schedule, day), (schedule.byday, day)
