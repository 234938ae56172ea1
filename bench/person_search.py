"""Latency of the person search view (through Django: middleware, access, template)
on the borough loaded by synth_load.py. Target (issue 2): p95 ≤ 50 ms at 230,000.
"""

import random
import statistics
import sys
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup import configure, peak_memory_mb  # noqa: E402

configure()
from django.test import Client  # noqa: E402

from joinedup.core.models import User  # noqa: E402
from joinedup.people.models import Person  # noqa: E402

REQUESTS_PER_KIND = 300

if __name__ == "__main__":
    residents = Person.objects.count()
    if not residents:
        sys.exit("Run bench/synth_load.py first")
    rng = random.Random(7)
    gp = User.objects.get(username="gp.a")
    client = Client()
    client.force_login(gp)
    practice_id = gp.memberships.order_by("organisation__name").first().organisation_id
    sample = list(
        Person.objects.order_by("?").values_list("nhs_number", "family_name", "birth_date")[:2000]
    )
    own = list(
        Person.objects.filter(registered_practice_id=practice_id).values_list(
            "given_name", "family_name"
        )[:2000]
    )
    kinds = {
        "NHS number": lambda: {"q": rng.choice(sample)[0]},
        "surname + date of birth": lambda: (
            lambda p: {
                "q": p[1],
                "dob-day": p[2].day,
                "dob-month": p[2].month,
                "dob-year": p[2].year,
            }
        )(rng.choice(sample)),
        "partial surname": lambda: {"q": rng.choice(own)[1][:3]},
        "given + partial surname": lambda: (lambda p: {"q": f"{p[0][:2]} {p[1][:4]}"})(
            rng.choice(own)
        ),
    }
    print(f"residents           {residents:,}")
    all_times = []
    for kind, params in kinds.items():
        for _ in range(20):  # warm up
            client.get("/people/", params())
        times = []
        for _ in range(REQUESTS_PER_KIND):
            query = params()
            started = perf_counter()
            response = client.get("/people/", query)
            times.append((perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        all_times += times
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{kind:<24} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms")
    p95 = statistics.quantiles(all_times, n=20)[-1]
    print(
        f"{'all searches':<24} median {statistics.median(all_times):6.1f} ms   p95 {p95:6.1f} ms"
        "   (target p95 ≤ 50 ms)"
    )
    print(f"requests per second {len(all_times) / (sum(all_times) / 1000):,.0f} (one process)")
    print(f"peak memory         {peak_memory_mb():,.0f} MB")
