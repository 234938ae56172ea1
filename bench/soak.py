"""Load and soak, as production serves it: gunicorn and PostgreSQL with the borough
(230,000 residents, ~15,000 on the caseload, 200,000 tasks, the demo directory), and 50
concurrent users from Locust on loopback for 10 minutes — care coordinators on caseloads,
care pages, plans and the inbox; navigators searching the directory; residents in the
portal; FHIR clients reading care plans and tasks. Prints p50/p95/p99 per page, the
errors (the target is none) and the server's memory through the run (the target is flat).

Reuses bench/care_load.py's set-up (made once, kept in the bench database).
``BENCH_USERS`` (50), ``BENCH_SECONDS`` (600), ``BENCH_WORKERS`` (4) change the load.
"""

import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("BENCH_USERS", "50")
os.environ.setdefault("BENCH_SECONDS", "600")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import care_load  # noqa: E402
from setup import RESIDENTS  # noqa: E402

HERE = Path(__file__).resolve().parent


def directory() -> None:
    from django.core.management import call_command

    from joinedup.directory.models import Service

    if not Service.objects.exists():
        call_command("demo", "directory", verbosity=0)


def navigator_targets(path: Path) -> None:
    """Add the navigators' sessions and what they search for to the targets file."""
    from django.test import Client

    from joinedup.core.models import Postcode, User
    from joinedup.directory import needs
    from joinedup.directory.models import Service

    targets = json.loads(path.read_text())
    navigator = User.objects.get(username="navigator")
    sessions = []
    for _ in range(care_load.USERS):
        client = Client()
        client.force_login(navigator)
        sessions.append(client.cookies["sessionid"].value)
    targets["navigator_sessions"] = sessions
    targets["words"] = ["lunch club", "walking", "carers", "debt advice", "memory", "choir",
                        "benefits", "befriending", "falls", "cookery", "clubb", "art"]  # fmt: skip
    targets["needs"] = [n.code for n in needs.NEEDS]
    targets["postcodes"] = list(
        Postcode.objects.order_by("?").values_list("postcode", flat=True)[:200]
    )
    targets["services"] = list(Service.objects.values_list("oruk_id", flat=True)[:300])
    path.write_text(json.dumps(targets))


def sample_memory(server, samples: list, stop: threading.Event) -> None:
    while not stop.wait(15):
        samples.append((time.monotonic(), care_load.server_memory_mb(server)))


if __name__ == "__main__":
    url = care_load.database_url()
    data = care_load.configure(url)
    care_load.borough()
    care_load.care_data()
    directory()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    users, seconds = care_load.USERS, care_load.SECONDS
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        targets = care_load.targets(folder)
        navigator_targets(targets)
        os.environ["BENCH_CARE_TARGETS"] = str(targets)
        server = care_load.serve(data)
        samples: list = []
        stop = threading.Event()
        try:
            care_load.warm_up(targets)
            started = time.monotonic()
            samples.append((started, care_load.server_memory_mb(server)))
            sampler = threading.Thread(target=sample_memory, args=(server, samples, stop))
            sampler.start()
            stats = care_load.load(
                folder,
                users=users,
                seconds=seconds,
                only=("Coordinator", "Navigator", "Resident", "FhirClient"),
                locustfile=HERE / "soak_locustfile.py",
            )
            stop.set()
            sampler.join()
            samples.append((time.monotonic(), care_load.server_memory_mb(server)))
        finally:
            stop.set()
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    print("database            postgresql, gunicorn", care_load.WORKERS, "workers")
    print(f"residents           {RESIDENTS:,}")
    print(
        f"users               {users} concurrent for {seconds} s: coordinators, navigators, "
        "residents and FHIR clients (4:2:1:1)"
    )
    errors = 0
    for name, row in sorted(stats.items()):
        if name == "Aggregated":
            continue
        errors += int(row["Failure Count"])
        print(
            f"{name:<24} median {float(row['50%']):5.0f} ms   p95 {float(row['95%']):5.0f} ms   "
            f"p99 {float(row['99%']):5.0f} ms   {int(row['Request Count']):>7,} requests   "
            f"{int(row['Failure Count'])} failed"
        )
    total = stats["Aggregated"]
    rate = float(total["Requests/s"])
    print(
        f"all requests        {int(total['Request Count']):,} ({rate:.1f}/s), "
        f"{int(total['Failure Count'])} failed   (target: none)"
    )
    third = max(1, len(samples) // 3)
    first = sum(m for _, m in samples[:third]) / third
    last = sum(m for _, m in samples[-third:]) / third
    print(
        f"server memory       {samples[0][1]:,.0f} MB at the start, {last:,.0f} MB in the last "
        f"third (first third {first:,.0f} MB: {100 * (last - first) / first:+.1f}%), "
        f"peak {max(m for _, m in samples):,.0f} MB, {len(samples)} samples"
    )
