"""API fuzzing, longer than in `make test`: Schemathesis generates BENCH_FUZZ_CASES (500)
cases for every operation of the FHIR, Open Referral and staff APIs (tests/integration/
test_api_fuzzing.py) and checks for server errors, schema conformance and, for FHIR,
that no token means no access. Prints the operations, cases and the result."""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = int(os.environ.get("BENCH_FUZZ_CASES", "500"))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.settings")
    import django

    django.setup()
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    operations = {
        name: sum(1 for _ in schemathesis.openapi.from_wsgi(path, app).get_all_operations())
        for name, path in (
            ("FHIR", "/fhir/openapi.json"),
            ("Open Referral", "/oruk/openapi.json"),
            ("staff API", "/api/openapi.json"),
        )
    }
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:warnings",
            "-p",
            "no:cacheprovider",
            str(ROOT / "tests" / "integration" / "test_api_fuzzing.py"),
        ],  # fmt: skip
        env={**os.environ, "JOINEDUP_FUZZ_CASES": str(CASES), "HYPOTHESIS_PROFILE": "explore"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    for name, count in operations.items():
        print(f"{name:<14} {count} operations")
    print(f"cases          up to {CASES} per operation and test (with and without a token)")
    print(f"result         {summary}")
    print(f"time           {seconds:.0f} s")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory    {peak:.0f} MB")
    sys.exit(done.returncode)
