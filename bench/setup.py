"""Shared set-up for the benchmarks: a database of their own under $JOINEDUP_DATA_DIR/bench."""

import os
import resource
from pathlib import Path

RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "230000"))


def configure() -> Path:
    data = Path(os.environ.get("JOINEDUP_DATA_DIR", "var")).resolve() / "bench"
    (data / "static").mkdir(parents=True, exist_ok=True)
    os.environ["JOINEDUP_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.settings")
    import django

    django.setup()
    return data


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
