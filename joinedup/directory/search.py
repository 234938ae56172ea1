"""Finding services for a person: by need, keyword (typo-tolerant), postcode and distance,
catchment, eligibility (age, carers), opening times, cost and step-free access, all applied
together; every result says why it matched.

The filters run on an in-memory index of the directory (``index.py``: NumPy arrays, one
per process, rebuilt when the directory changes); a keyword that is in no listing is
corrected to the nearest words that are (Levenshtein, rapidfuzz). The Open Referral API's
catchment filter is SQL (``_covers``); its proximity filter uses the index's distances.

Example::

    found = search(Criteria(text="lunch club", needs=["loneliness"], postcode="JU1 0AA",
                            within_km=2, open_at=datetime.now()))
    for result in found.results:
        print(result.service.name, result.distance_km, result.reasons)
"""

import bisect
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time

import numpy as np
from dateutil import rrule
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from . import index, needs, places
from .feeds import DAY_CODES
from .models import Schedule, Service, ServiceArea

MAX_RESULTS = 50
MAX_TOKENS = 8
_WORD = index.WORD


@dataclass
class Criteria:
    text: str = ""
    needs: list[str] = field(default_factory=list)
    postcode: str = ""
    within_km: float | None = None
    open_at: datetime | None = None  # open at this moment
    day: str = ""  # or open at some time on this day ("MO".."SU")
    age: int | None = None
    carer: bool = False
    free: bool = False
    step_free: bool = False
    practice: str = ""  # the person's practice ODS code, for practice-list catchments


@dataclass
class Result:
    service: Service
    distance_km: float | None
    reasons: list[str]


@dataclass
class Found:
    results: list[Result]
    total: int
    point: places.Point | None
    corrections: dict[str, list[str]]
    seconds: float


# --- Keywords -------------------------------------------------------------------------------


def expand(token: str, found_index: "index.Index | None" = None) -> list[str]:
    """The token and, when no listing has it, the listed words nearest to it."""
    words, known = (found_index or index.current()).vocabulary()
    if token in known or len(token) < 4 or _prefix_known(words, token):
        return [token]
    cutoff = 1 if len(token) < 7 else 2
    near = process.extract(token, words, scorer=Levenshtein.distance, score_cutoff=cutoff, limit=4)
    return [token] + [w for w, _, _ in near]


def _prefix_known(words: list[str], token: str) -> bool:
    i = bisect.bisect_left(words, token)
    return i < len(words) and words[i].startswith(token)


# --- Opening times --------------------------------------------------------------------------


def is_open(schedule: Schedule, moment: datetime) -> bool:
    """Whether a schedule has the service open at a moment (local time)."""
    day = moment.date()
    if not _valid_on(schedule, day) or not _on_day(schedule, day):
        return False
    now = moment.time()
    opens, closes = schedule.opens_at or time(0), schedule.closes_at or time(23, 59, 59)
    return opens <= now < closes


def open_on(schedule: Schedule, day: date) -> bool:
    return _valid_on(schedule, day) and _on_day(schedule, day)


def _valid_on(schedule: Schedule, day: date) -> bool:
    return (schedule.valid_from is None or schedule.valid_from <= day) and (
        schedule.valid_to is None or day <= schedule.valid_to
    )


def _on_day(schedule: Schedule, day: date) -> bool:
    if not schedule.byday and not schedule.bymonthday:
        return False
    code = DAY_CODES[day.weekday()]
    if schedule.freq != "MONTHLY" and (schedule.interval or 1) == 1 and not schedule.bymonthday:
        return code in schedule.byday.split(",")
    # Anything else (monthly, "first Tuesday", every other week) by the iCalendar rule.
    rule = rrule.rrulestr(_rule_text(schedule), dtstart=_start(schedule, day))
    moment = datetime.combine(day, time(0))
    return rule.after(moment, inc=True) == moment


def _start(schedule: Schedule, day: date) -> datetime:
    start = schedule.dtstart or schedule.valid_from or date(day.year - 1, 1, 1)
    return datetime.combine(min(start, day), time(0))


def _rule_text(schedule: Schedule) -> str:
    parts = [f"FREQ={schedule.freq or 'WEEKLY'}", f"INTERVAL={schedule.interval or 1}"]
    if schedule.byday:
        parts.append(f"BYDAY={schedule.byday}")
    if schedule.bymonthday:
        parts.append(f"BYMONTHDAY={schedule.bymonthday}")
    return "RRULE:" + ";".join(parts)


def describe(schedule: Schedule) -> str:
    """ "Mondays and Tuesdays, 09:00 to 17:00", "first Tuesday of the month, 10:00 to 12:00"."""
    names = dict(
        zip(
            DAY_CODES,
            ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
            strict=True,
        )
    )
    ordinals = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
    days = []
    for item in filter(None, schedule.byday.split(",")):
        code, nth = item[-2:], item[:-2]
        days.append(
            f"{ordinals.get(nth, nth)} {names[code]} of the month" if nth else f"{names[code]}s"
        )
    when = ", ".join(days) or (
        f"day {schedule.bymonthday} of the month" if schedule.bymonthday else ""
    )
    if schedule.interval and schedule.interval > 1 and schedule.freq == "WEEKLY":
        when = f"every {schedule.interval} weeks on {when}"
    hours = ""
    if schedule.opens_at and schedule.closes_at:
        hours = f"{schedule.opens_at:%H:%M} to {schedule.closes_at:%H:%M}"
    return ", ".join(p for p in (when, hours) if p) or schedule.description


# --- Search ---------------------------------------------------------------------------------


def search(criteria: Criteria, *, limit: int = MAX_RESULTS, offset: int = 0) -> Found:
    started = clock.perf_counter()
    point = places.locate(criteria.postcode) if criteria.postcode.strip() else None
    found_index = index.current()
    keep = found_index.all()
    for code in criteria.needs:
        keep &= found_index.need(code)
    if criteria.age is not None:
        keep &= found_index.age(criteria.age)
    if not criteria.carer:
        keep &= ~found_index.carers
    if criteria.free:
        keep &= found_index.free
    if criteria.step_free:
        keep &= found_index.step_free
    distances = np.full(found_index.size, np.inf)
    if point is not None:
        keep &= found_index.covers(point, criteria.practice)
        distances = found_index.distances(point)
        if criteria.within_km:
            # Near enough, or with no building to travel to (by phone, online).
            keep &= (distances <= criteria.within_km) | ~found_index.physical
    corrections: dict[str, list[str]] = {}
    tokens = _WORD.findall(criteria.text.lower())[:MAX_TOKENS]
    words = {}
    for token in tokens:
        alternatives = expand(token, found_index)
        if len(alternatives) > 1:
            corrections[token] = alternatives[1:]
        words[token] = alternatives
    for alternatives in words.values():
        keep &= found_index.containing(alternatives, keep)
    if criteria.open_at or criteria.day:
        day = criteria.open_at.date() if criteria.open_at else _next(criteria.day)
        minute = index.minute_of(criteria.open_at) if criteria.open_at else None
        keep &= found_index.open_on(day, minute, keep)
    flat = [w for alternatives in words.values() for w in alternatives]
    chosen = np.flatnonzero(keep).tolist()

    def rank(i: int):
        name = found_index.names[i]
        in_name = any(w in name for w in flat) if flat else True
        return (not in_name, distances[i], name)

    chosen.sort(key=rank)
    page = [int(found_index.pks[i]) for i in chosen[offset : offset + limit]]
    distance_of = {
        int(found_index.pks[i]): (float(distances[i]) if np.isfinite(distances[i]) else None)
        for i in chosen[offset : offset + limit]
    }
    services = {
        s.pk: s
        for s in Service.objects.filter(pk__in=page)
        .select_related("organisation")
        .prefetch_related("terms", "schedules", "areas", "at_locations__location")
    }
    results = [
        Result(
            services[pk],
            distance_of[pk],
            _reasons(services[pk], criteria, point, distance_of[pk], words),
        )
        for pk in page
        if pk in services
    ]
    return Found(results, len(chosen), point, corrections, clock.perf_counter() - started)


def _covers(point: places.Point, practice: str) -> Q:
    """Services with no area, or an area that contains the point (or the practice)."""
    inside = Q()
    for kind, code in places.areas_containing(point, practice):
        inside |= Q(kind=kind, code=code)
    areas = ServiceArea.objects.filter(service_id=OuterRef("pk"))
    return ~Exists(areas) | Exists(areas.filter(inside))


def _next(code: str) -> date:
    today = timezone.localdate()
    return date.fromordinal(today.toordinal() + (DAY_CODES.index(code) - today.weekday()) % 7)


def _distance(km: float) -> str:
    return f"{max(10, round(km * 1000, -1)):.0f} m" if km < 1 else f"{km:.1f} km"


def _reasons(service, criteria, point, distance, words) -> list[str]:
    reasons = []
    wanted = {needs.term_id(c) for c in criteria.needs}
    for term in service.terms.all():
        if term.oruk_id in wanted:
            reasons.append(f"Helps with {term.name.lower()}")
    name = service.name.lower()
    for token, alternatives in words.items():
        word = next((w for w in alternatives if w in service.search_text), token)
        where = "its name" if word in name else "its description or what it helps with"
        typed = f" (you typed '{token}')" if word != token else ""
        reasons.append(f"'{word}' is in {where}{typed}")
    if point is not None:
        if distance is not None:
            reasons.append(f"{_distance(distance)} from {point.postcode}")
        elif criteria.within_km:
            reasons.append("By phone or online: no building to travel to")
        areas = [a for a in service.areas.all()]
        if areas:
            names = ", ".join(a.name or a.code for a in areas if a.kind != ServiceArea.Kind.OTHER)
            reasons.append(f"Covers {names}" if names else "Its area is described in words")
        else:
            reasons.append("No catchment given")
    if criteria.open_at:
        for schedule in service.schedules.all():
            if is_open(schedule, criteria.open_at) and schedule.closes_at:
                reasons.append(f"Open now until {schedule.closes_at:%H:%M}")
                break
    elif criteria.day:
        for schedule in service.schedules.all():
            if open_on(schedule, _next(criteria.day)):
                reasons.append(f"Open {describe(schedule)}")
                break
    if criteria.free and service.is_free:
        reasons.append("Free")
    if criteria.step_free:
        reasons.append("Step-free access")
    if criteria.age is not None and (service.minimum_age or service.maximum_age):
        reasons.append(f"Ages {service.minimum_age or 0} to {service.maximum_age or 'any'}")
    if service.for_carers:
        reasons.append("For carers")
    return reasons
