"""FHIR search latency, as production serves it: gunicorn and PostgreSQL with the demo
borough (20,000 residents), and 4 concurrent FHIR clients each searching the Patients a
GP may see, 50 a page (by surname prefix, by date of birth range, all, and following
`next` links), for BENCH_SECONDS (60). Target (issue 20): p95 ≤ 150 ms at 4 clients.

Each search decides access for its whole page in one query and audits every person it
returns in one insert; this measures that path end to end. Prints p50/p95/p99 by kind of
search, searches per second, and the server's memory.

The database is ``postgres://postgres@127.0.0.1:5432/joinedup_bench_fhir`` (created and
filled once, then reused). ``BENCH_FHIR_RESIDENTS`` (20,000), ``BENCH_FHIR_CLIENTS`` (4),
``BENCH_SECONDS`` (60) and ``BENCH_WORKERS`` (gunicorn workers, 4) change it.
"""

import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_SECONDS", "60")
import care_load  # noqa: E402
from setup import peak_memory_mb  # noqa: E402

RESIDENTS = int(os.environ.get("BENCH_FHIR_RESIDENTS", "20000"))
CLIENTS = int(os.environ.get("BENCH_FHIR_CLIENTS", "4"))
SECONDS = int(os.environ["BENCH_SECONDS"])
DATABASE = "joinedup_bench_fhir"


def database() -> str:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            c.execute(f"CREATE DATABASE {DATABASE}")
    return f"postgres://postgres@127.0.0.1:5432/{DATABASE}"


def configure() -> Path:
    data = Path(os.environ.get("JOINEDUP_DATA_DIR", "var")).resolve() / "bench-fhir"
    (data / "static").mkdir(parents=True, exist_ok=True)
    os.environ["JOINEDUP_DATA_DIR"] = str(data)
    os.environ["DATABASE_URL"] = database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.settings")
    import django

    django.setup()
    return data


def borough() -> None:
    from django.core.management import call_command

    from joinedup.people.models import Person

    call_command("migrate", verbosity=0)
    if Person.objects.count() != RESIDENTS:
        from joinedup.synth.actions import load_demo_borough, remove_demo_borough

        remove_demo_borough()
        started = time.perf_counter()
        load_demo_borough(residents=RESIDENTS, seed=1)
        print(f"set-up: borough     {time.perf_counter() - started:.0f} s", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def gp_token() -> tuple[str, int, list[str]]:
    """A token for the GP of the largest practice; how many they may see; surname
    prefixes to search for."""
    from django.db.models import Count

    from joinedup.core.actions import create_api_token
    from joinedup.core.models import Membership, Role
    from joinedup.people.models import Person

    gps = Membership.objects.filter(role=Role.GP, active=True)
    practice = (
        Person.objects.filter(registered_practice__in=gps.values("organisation_id"))
        .values("registered_practice")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    gp = (
        gps.filter(organisation_id=practice["registered_practice"])
        .select_related("user", "organisation")
        .first()
    )
    token = create_api_token(by=None, user=gp.user, organisation=gp.organisation)
    surnames = list(
        Person.objects.filter(registered_practice_id=practice["registered_practice"])
        .order_by("?")
        .values_list("family_name", flat=True)[:200]
    )
    return token, practice["n"], sorted({s[:2] for s in surnames if len(s) >= 2})


def get(path: str, token: str) -> tuple[float, dict]:
    url = path if path.startswith("http") else f"http://127.0.0.1:{care_load.PORT}/fhir/{path}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, body


def searches(rng: random.Random, prefixes: list[str]):
    """(kind, path) of the searches a client makes."""
    while True:
        kind = rng.choice(("all", "surname", "birthdate", "next page"))
        if kind == "all" or kind == "next page":
            yield kind, "Patient?_count=50"
        elif kind == "surname":
            yield kind, f"Patient?family={urllib.parse.quote(rng.choice(prefixes))}&_count=50"
        else:
            year = rng.randrange(1935, 1990)
            yield kind, f"Patient?birthdate=ge{year}-01-01&birthdate=lt{year + 10}-01-01&_count=50"


def client(token, prefixes, seed, stop, times, errors) -> None:
    rng = random.Random(seed)
    for kind, path in searches(rng, prefixes):
        if stop.is_set():
            return
        try:
            took, bundle = get(path, token)
            if kind == "next page":
                following = [x["url"] for x in bundle.get("link", []) if x["relation"] == "next"]
                if following:
                    took, bundle = get(following[0], token)
            times.setdefault(kind, []).append(took)
            assert len(bundle.get("entry", [])) <= 50
        except Exception as exc:  # noqa: BLE001 (counted and printed)
            errors.append(f"{kind}: {exc}")


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


if __name__ == "__main__":
    data = configure()
    borough()
    token, visible, prefixes = gp_token()
    server = care_load.serve(data)
    try:
        for _ in range(10 * care_load.WORKERS):  # warm every worker
            get("Patient?_count=50", token)
        times: dict[str, list[float]] = {}
        errors: list[str] = []
        stop = threading.Event()
        threads = [
            threading.Thread(target=client, args=(token, prefixes, n, stop, times, errors))
            for n in range(CLIENTS)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        memory = []
        while time.perf_counter() - started < SECONDS:
            time.sleep(min(5, SECONDS))
            memory.append(care_load.server_memory_mb(server))
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    everything = [t for kind in times.values() for t in kind]
    print(f"residents           {RESIDENTS:,} (the GP may see {visible:,})")
    print(f"clients             {CLIENTS} concurrent, {care_load.WORKERS} gunicorn workers")
    for kind, values in sorted(times.items()):
        print(
            f"{kind:<19} n {len(values):5,}  p50 {statistics.median(values):6.1f} ms  "
            f"p95 {percentile(values, 95):6.1f} ms  p99 {percentile(values, 99):6.1f} ms"
        )
    print(
        f"{'all searches':<19} n {len(everything):5,}  p50 {statistics.median(everything):6.1f} "
        f"ms  p95 {percentile(everything, 95):6.1f} ms  p99 {percentile(everything, 99):6.1f} ms"
        "   (target p95 ≤ 150 ms)"
    )
    print(f"searches per second {len(everything) / elapsed:,.1f}")
    print(f"errors              {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"server memory       {min(memory):,.0f}–{max(memory):,.0f} MB")
    print(f"peak memory (bench) {peak_memory_mb():,.0f} MB")
