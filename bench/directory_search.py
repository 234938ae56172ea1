"""The service directory at 20,000 services (issue 7): import speed, search latency for
keyword + postcode radius + need + open now combined, the search page, and the Open
Referral UK API's /services page. Targets: search p95 ≤ 100 ms, /services p95 ≤ 100 ms.

Uses the borough loaded by synth_load.py (for its postcodes and places); replaces the
directory there with BENCH_SERVICES (20,000) demo services.
"""

import json
import os
import random
import statistics
import sys
from datetime import datetime, timedelta
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup import configure, peak_memory_mb  # noqa: E402

configure()
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from joinedup.core.models import Postcode, User  # noqa: E402
from joinedup.directory import actions, needs  # noqa: E402
from joinedup.directory.models import (  # noqa: E402
    DirectoryOrganisation,
    FeedImport,
    Location,
    Service,
)
from joinedup.directory.search import Criteria, search  # noqa: E402
from joinedup.synth.directory import directory_feed  # noqa: E402

SERVICES = int(os.environ.get("BENCH_SERVICES", "20000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
WORDS = ("lunch", "club", "benefits", "carers", "falls", "memory", "housing", "debt",
         "walking", "counseling", "befriendng", "diabetes", "food", "advice", "group")  # fmt: skip


def _report(name: str, times: list[float], target: str) -> float:
    p95 = statistics.quantiles(times, n=20)[-1]
    p99 = statistics.quantiles(times, n=100)[-1]
    print(
        f"{name:<34} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   "
        f"p99 {p99:6.1f} ms   {target}"
    )
    return p95


def _load() -> None:
    with transaction.atomic():
        Service.objects.all().delete()
        Location.objects.all().delete()
        DirectoryOrganisation.objects.all().delete()
        FeedImport.objects.all().delete()
        needs.ensure_taxonomy()
    started = perf_counter()
    feed = json.dumps(directory_feed(services=SERVICES, seed=11)).encode()
    made = perf_counter() - started
    started = perf_counter()
    report = actions.import_feed(by=None, source="bench directory", data=feed)
    took = perf_counter() - started
    print(f"feed                {SERVICES:,} services, {len(feed) / 2**20:,.1f} MB, {made:.1f} s")
    print(
        f"import              {report.created:,} services in {took:.1f} s "
        f"({report.created / took:,.0f} services/s), {len(report.rejected)} rejected"
    )


if __name__ == "__main__":
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    postcodes = list(Postcode.objects.exclude(latitude=None).values_list("postcode", flat=True))
    if not postcodes:
        sys.exit("Run bench/synth_load.py first")
    if Service.objects.count() != SERVICES or os.environ.get("BENCH_RELOAD"):
        _load()
    print(
        f"services            {Service.objects.count():,} at {Location.objects.count():,} locations"
    )
    rng = random.Random(7)
    codes = [n.code for n in needs.NEEDS]
    monday = datetime(2026, 11, 30)

    def criteria() -> Criteria:
        moment = monday + timedelta(days=rng.randrange(5), hours=rng.uniform(9.5, 17))
        return Criteria(
            text=rng.choice(WORDS),
            needs=[rng.choice(codes)],
            postcode=rng.choice(postcodes),
            within_km=2,
            open_at=moment,
        )

    for _ in range(20):
        search(criteria())
    times, found = [], []
    for _ in range(REQUESTS):
        query = criteria()
        started = perf_counter()
        result = search(query)
        times.append((perf_counter() - started) * 1000)
        found.append(result.total)
    _report("search (all four combined)", times, "(target p95 ≤ 100 ms)")
    print(f"{'':<34} {statistics.mean(found):,.1f} services found on average, "
          f"{sum(1 for f in found if f) / len(found):.0%} of searches found some")  # fmt: skip

    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    times = []
    for i in range(REQUESTS):
        params = {
            "q": rng.choice(WORDS),
            "need": rng.choice(codes),
            "postcode": rng.choice(postcodes),
            "distance": "2",
            "when": rng.choice(["MO", "TU", "WE", "TH", "FR"]),
        }
        started = perf_counter()
        response = client.get("/directory/", params)
        if i >= 10:
            times.append((perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    _report("search page (a day, not now)", times, "(through Django and the template)")

    api = Client()
    pages = max(1, SERVICES // 50)
    for name, params in (
        ("/oruk/services page", lambda: {"page": rng.randint(1, pages)}),
        (
            "/oruk/services need + postcode 2 km",
            lambda: {
                "taxonomy_term_id": needs.term_id(rng.choice(codes)),
                "postcode": rng.choice(postcodes),
                "proximity": 2000,
            },
        ),
        ("/oruk/services full page", lambda: {"page": rng.randint(1, pages), "full": "true"}),
    ):
        times = []
        for i in range(REQUESTS):
            started = perf_counter()
            response = api.get("/oruk/services", params())
            if i >= 10:
                times.append((perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        _report(name, times, "" if "full" in name else "(target p95 ≤ 100 ms)")
    one = Service.objects.order_by("?").values_list("oruk_id", flat=True)[:REQUESTS]
    times = []
    for oruk_id in one:
        started = perf_counter()
        api.get(f"/oruk/services/{oruk_id}")
        times.append((perf_counter() - started) * 1000)
    _report("/oruk/services/{id}", times, "")
    print(f"peak memory         {peak_memory_mb():,.0f} MB")
