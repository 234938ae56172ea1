"""An in-memory search index of the directory, one per process, rebuilt when the directory
changes: NumPy arrays for what every search filters on (needs, ages, cost, carers,
step-free access, catchments, coordinates, weekly opening hours) and the listing text for
keywords. At 20,000 services the SQL version of these filters took 120–170 ms a search
(each filter a scan or subquery over every service); the arrays take a few milliseconds.
Rules that are not simply "these weekdays, these hours" (monthly, every other week) are
checked with the iCalendar rule, on the few candidates that have them.

``search.py`` uses it; the database stays the one source of truth (ADR 0010).
"""

import re
import threading
import time as clock
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from django.db.models import Max

from . import needs, places
from .feeds import DAY_CODES
from .models import (
    FeedImport,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)

NO_DATE = -1
WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_lock = threading.Lock()
_current: dict = {"version": None, "index": None, "checked": 0.0}
CHECK_SECONDS = 1.0  # how often a process asks the database whether the directory changed


def version():
    """Changes whenever services are imported, added or edited (each edit is saved with a
    new ``last_modified``)."""
    return (
        FeedImport.objects.aggregate(n=Max("pk"))["n"],
        Service.objects.aggregate(n=Max("pk"), m=Max("last_modified")),
        Service.objects.filter(status=ServiceStatus.ACTIVE).count(),
    )


def current() -> "Index":
    """The index for the directory as it is now (rebuilt if it changed)."""
    now = clock.monotonic()
    if _current["index"] is not None and now - _current["checked"] < CHECK_SECONDS:
        return _current["index"]
    found = version()
    with _lock:
        if found != _current["version"] or _current["index"] is None:
            _current["index"] = Index.build()
            _current["version"] = found
        _current["checked"] = now
    return _current["index"]


def forget() -> None:
    """Drop the index (tests that change the directory within a second call this)."""
    _current.update(version=None, index=None, checked=0.0)


@dataclass
class Index:
    pks: np.ndarray  # service ids, in index order
    names: list[str]  # lower-case
    texts: list[str]  # search_text
    needs: dict[str, np.ndarray]  # need code → bool per service
    min_age: np.ndarray  # -1 when none
    max_age: np.ndarray  # 999 when none
    free: np.ndarray
    carers: np.ndarray
    step_free: np.ndarray
    physical: np.ndarray  # has a physical location
    has_area: np.ndarray
    area_owner: np.ndarray  # per area: index of its service
    area_key: np.ndarray  # per area: "kind:code"
    loc_owner: np.ndarray  # per location link: index of its service
    loc_lat: np.ndarray
    loc_lon: np.ndarray
    sch_owner: np.ndarray  # per schedule: index of its service
    sch_days: np.ndarray  # weekly day bits (Monday = 1)
    sch_opens: np.ndarray  # minutes from midnight (0 when none)
    sch_closes: np.ndarray  # minutes (24 * 60 when none)
    sch_from: np.ndarray  # date ordinals, NO_DATE when none
    sch_to: np.ndarray
    sch_simple: np.ndarray  # weekly, every week, no month days: the arrays say it all
    sch_nth: np.ndarray  # monthly "first Tuesday"-style rules as bits (see _nth_bits)
    sch_ids: np.ndarray  # schedule ids (for the rule check of the others)

    @property
    def size(self) -> int:
        return len(self.pks)

    @classmethod
    def build(cls) -> "Index":
        rows = list(
            Service.objects.filter(status=ServiceStatus.ACTIVE)
            .order_by("pk")
            .values_list(
                "pk", "name", "search_text", "minimum_age", "maximum_age", "is_free", "for_carers"
            )
        )
        pks = np.array([r[0] for r in rows], dtype=np.int64)
        where = {pk: i for i, pk in enumerate(pks.tolist())}
        n = len(rows)
        prefix = needs.TAXONOMY_ID + ":"
        need_of = {
            pk: oruk_id.removeprefix(prefix)
            for pk, oruk_id in TaxonomyTerm.objects.filter(oruk_id__startswith=prefix).values_list(
                "pk", "oruk_id"
            )
            if oruk_id.removeprefix(prefix) in needs.BY_CODE
        }
        need_arrays = {need.code: np.zeros(n, dtype=bool) for need in needs.NEEDS}
        for service_id, term_id in Service.terms.through.objects.filter(
            taxonomyterm_id__in=list(need_of)
        ).values_list("service_id", "taxonomyterm_id"):
            i = where.get(service_id)
            if i is not None:
                need_arrays[need_of[term_id]][i] = True
        step_free = np.zeros(n, dtype=bool)
        physical = np.zeros(n, dtype=bool)
        loc_owner, loc_lat, loc_lon = [], [], []
        for service_id, lat, lon, kind, free in ServiceAtLocation.objects.values_list(
            "service_id",
            "location__latitude",
            "location__longitude",
            "location__location_type",
            "location__step_free",
        ):
            i = where.get(service_id)
            if i is None:
                continue
            if kind == Location.Type.PHYSICAL:
                physical[i] = True
            step_free[i] |= free
            if lat is not None and lon is not None:
                loc_owner.append(i)
                loc_lat.append(lat)
                loc_lon.append(lon)
        area_owner, area_key = [], []
        has_area = np.zeros(n, dtype=bool)
        for service_id, kind, code in ServiceArea.objects.values_list("service_id", "kind", "code"):
            i = where.get(service_id)
            if i is None:
                continue
            has_area[i] = True
            area_owner.append(i)
            area_key.append(f"{kind}:{code}")
        schedules = list(
            Schedule.objects.values_list(
                "pk",
                "service_id",
                "freq",
                "interval",
                "byday",
                "bymonthday",
                "opens_at",
                "closes_at",
                "valid_from",
                "valid_to",
            )
        )
        sch = [s for s in schedules if s[1] in where]
        return cls(
            pks=pks,
            names=[r[1].lower() for r in rows],
            texts=[r[2] for r in rows],
            needs=need_arrays,
            min_age=np.array([-1 if r[3] is None else r[3] for r in rows], dtype=np.int16),
            max_age=np.array([999 if r[4] is None else r[4] for r in rows], dtype=np.int16),
            free=np.array([r[5] for r in rows], dtype=bool),
            carers=np.array([r[6] for r in rows], dtype=bool),
            step_free=step_free,
            physical=physical,
            has_area=has_area,
            area_owner=np.array(area_owner, dtype=np.int64),
            area_key=np.array(area_key, dtype=object),
            loc_owner=np.array(loc_owner, dtype=np.int64),
            loc_lat=np.array(loc_lat, dtype=float),
            loc_lon=np.array(loc_lon, dtype=float),
            sch_owner=np.array([where[s[1]] for s in sch], dtype=np.int64),
            sch_days=np.array([_day_bits(s[4]) for s in sch], dtype=np.int16),
            sch_opens=np.array([_minutes(s[6], 0) for s in sch], dtype=np.int16),
            sch_closes=np.array([_minutes(s[7], 24 * 60) for s in sch], dtype=np.int16),
            sch_from=np.array([s[8].toordinal() if s[8] else NO_DATE for s in sch]),
            sch_to=np.array([s[9].toordinal() if s[9] else NO_DATE for s in sch]),
            sch_simple=np.array(
                [
                    s[2] != "MONTHLY"
                    and (s[3] or 1) == 1
                    and not s[5]
                    and all(len(d) == 2 for d in s[4].split(",") if d)
                    for s in sch
                ],
                dtype=bool,
            ),
            sch_nth=np.array(
                [_nth_bits(s[4]) if _is_nth_rule(s) else 0 for s in sch], dtype=np.int64
            ),
            sch_ids=np.array([s[0] for s in sch], dtype=np.int64),
        )

    def vocabulary(self) -> tuple[list[str], frozenset]:
        """Every word in the listings, sorted (for typo correction and prefixes)."""
        if getattr(self, "_words", None) is None:
            words: set[str] = set()
            for text in self.texts:
                words.update(WORD.findall(text))
            self._words = (sorted(words), frozenset(words))
        return self._words

    # --- Filters: each returns a bool per service ------------------------------------------

    def all(self) -> np.ndarray:
        return np.ones(self.size, dtype=bool)

    def need(self, code: str) -> np.ndarray:
        return self.needs.get(code, np.zeros(self.size, dtype=bool))

    def age(self, years: int) -> np.ndarray:
        return (self.min_age <= years) & (self.max_age >= years)

    def covers(self, point: places.Point, practice: str) -> np.ndarray:
        """No area given, an area described only in words, or an area the point is in."""
        keys = [f"{kind}:{code}" for kind, code in places.areas_containing(point, practice)]
        inside = np.isin(self.area_key, keys) if len(self.area_key) else np.array([], bool)
        hit = np.zeros(self.size, dtype=bool)
        hit[self.area_owner[inside]] = True
        return ~self.has_area | hit

    def distances(self, point: places.Point) -> np.ndarray:
        """Each service's nearest location, in km (inf when it has none)."""
        out = np.full(self.size, np.inf)
        if len(self.loc_owner):
            p1, p2 = np.radians(point.latitude), np.radians(self.loc_lat)
            dp, dl = p2 - p1, np.radians(self.loc_lon - point.longitude)
            a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
            km = 2 * places.EARTH_KM * np.arcsin(np.sqrt(a))
            np.minimum.at(out, self.loc_owner, km)
        return out

    def open_on(self, day: date, minute: int | None, candidates: np.ndarray) -> np.ndarray:
        """Open on a day (at a minute of it, when given), among the candidates."""
        bit = 1 << day.weekday()
        ordinal = day.toordinal()
        valid = ((self.sch_from == NO_DATE) | (self.sch_from <= ordinal)) & (
            (self.sch_to == NO_DATE) | (self.sch_to >= ordinal)
        )
        relevant = candidates[self.sch_owner] & valid
        hours = np.ones(len(self.sch_owner), dtype=bool)
        if minute is not None:
            hours = (self.sch_opens <= minute) & (self.sch_closes > minute)
        simple = relevant & self.sch_simple & ((self.sch_days & bit) > 0) & hours
        monthly = relevant & ((self.sch_nth & _day_nth_bits(day)) > 0) & hours
        out = np.zeros(self.size, dtype=bool)
        out[self.sch_owner[simple | monthly]] = True
        others = relevant & ~self.sch_simple & (self.sch_nth == 0) & hours
        if others.any():
            from .search import open_on as rule_open_on

            for schedule in Schedule.objects.filter(pk__in=self.sch_ids[others].tolist()):
                if rule_open_on(schedule, day):
                    out[np.searchsorted(self.pks, schedule.service_id)] = True
        return out

    def containing(self, words: list[str], candidates: np.ndarray) -> np.ndarray:
        """Among the candidates, those whose text has any of the words."""
        out = np.zeros(self.size, dtype=bool)
        for i in np.flatnonzero(candidates).tolist():
            text = self.texts[i]
            if any(w in text for w in words):
                out[i] = True
        return out


def _day_bits(byday: str) -> int:
    bits = 0
    for item in filter(None, (byday or "").split(",")):
        code = item[-2:]
        if code in DAY_CODES:
            bits |= 1 << DAY_CODES.index(code)
    return bits


_NTH = {"1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "-1": 5}


def _is_nth_rule(row) -> bool:
    """Monthly, every month, on nth weekdays only ("1TU", "3TH,-1FR")."""
    _, _, freq, interval, byday, bymonthday = row[:6]
    items = [d for d in (byday or "").split(",") if d]
    return (
        freq == "MONTHLY"
        and (interval or 1) == 1
        and not bymonthday
        and bool(items)
        and all(d[:-2] in _NTH and d[-2:] in DAY_CODES for d in items)
    )


def _nth_bits(byday: str) -> int:
    bits = 0
    for item in filter(None, byday.split(",")):
        bits |= 1 << (_NTH[item[:-2]] * 7 + DAY_CODES.index(item[-2:]))
    return bits


def _day_nth_bits(day: date) -> int:
    """The "nth weekday of the month" bits a day has (it may also be the last)."""
    weekday = day.weekday()
    bits = 1 << (((day.day - 1) // 7) * 7 + weekday)
    following = date.fromordinal(day.toordinal() + 7)
    if following.month != day.month:
        bits |= 1 << (5 * 7 + weekday)
    return bits


def _minutes(value, default: int) -> int:
    return value.hour * 60 + value.minute if value else default


def minute_of(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute
