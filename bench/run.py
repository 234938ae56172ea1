"""Run every benchmark, each in its own process so peak memory is its own.

``make bench`` measures the 230,000-resident borough; ``BENCH_RESIDENTS=20000 make bench``
gives a quicker look.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "sortition.py",
    "themes.py",
    "synth_load.py",
    "people_load.py",
    "person_search.py",
    "population_run.py",
    "outcomes_snapshot.py",
    "risk_model.py",
    "identity_link.py",
    "directory_search.py",
    "care_load.py",
    "fhir_search.py",
    "soak.py",
    "adt_feed.py",
    "api_fuzz.py",
]

if __name__ == "__main__":
    failed = 0
    for name in BENCHMARKS:
        print(f"== {name} ==", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / name)])  # noqa: S603
    sys.exit(failed)
