"""A month's outcomes at system scale: 2.4 million residents in eight places, each with its
own cohort rule. The population run (registers, scores, the six programmes, Core20PLUS) is
kept as the month's snapshot, then every indicator is worked out from it for the system and
each place, in total and by IMD quintile, practice, neighbourhood, ethnic group, age band and
sex (``joinedup outcomes snapshot``), each in a fresh process so peak memory is its own.

Target (issue 21): the month's snapshot for 2.4 million people and 8 places in ≤ 60 s and
≤ 4 GB. Reuses the store bench/population_run.py generates (``var/bench/population-N``);
``BENCH_OUTCOMES_SIZE`` (2,400,000) changes the size.
"""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup import configure, peak_memory_mb  # noqa: E402

SIZE = int(os.environ.get("BENCH_OUTCOMES_SIZE", "2400000"))
MONTH = date(2026, 11, 1)


def run(root: Path) -> None:
    """The population run with eight places, kept as the month's snapshot."""
    from django.core.management import call_command
    from django.utils import timezone
    from population_run import AS_OF, eight_places

    from joinedup.population.actions import write_snapshot
    from joinedup.population.config import load_config
    from joinedup.population.engines import run_duckdb
    from joinedup.population.models import PopulationRun
    from joinedup.population.store import AnalyticsStore
    from joinedup.synth.clinical import starter_codes

    call_command("migrate", verbosity=0)
    config = load_config()
    started = perf_counter()
    result = run_duckdb(
        store=AnalyticsStore(root),
        config=config,
        codelists={k: [int(c) for c in v] for k, v in starter_codes().items()},
        as_of=AS_OF.isoformat(),
        rules=eight_places(config),
        plus_rules={"": {"condition": ["learning_disability", "smi"]}},
    )
    engine = perf_counter() - started
    PopulationRun.objects.filter(as_of__year=AS_OF.year, as_of__month=AS_OF.month).delete()
    run = PopulationRun.objects.create(
        started_at=timezone.now(), as_of=AS_OF, engine="duckdb", people=result.profiles.num_rows
    )
    write_snapshot(run, result)
    programmes = {}
    for keys in result.profiles.column("programmes").to_pylist():
        for key in keys or []:
            programmes[key] = programmes.get(key, 0) + 1
    print(
        json.dumps(
            {
                "seconds": perf_counter() - started,
                "engine": engine,
                "people": result.profiles.num_rows,
                "events": result.events,
                "programmes": programmes,
                "peak_mb": peak_memory_mb(),
            }
        )
    )


def indicators() -> None:
    """Every indicator of the month from its snapshot."""
    from joinedup.outcomes.actions import snapshot_month

    started = perf_counter()
    snapshot = snapshot_month(by=None, month=MONTH)
    print(
        json.dumps(
            {
                "seconds": perf_counter() - started,
                "figures": snapshot.values.count(),
                "missing": len(snapshot.missing),
                "peak_mb": peak_memory_mb(),
            }
        )
    )


def child(mode: str, *args: str) -> dict:
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, mode, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    data = configure()
    if len(sys.argv) > 1:
        {"run": lambda: run(Path(sys.argv[2])), "indicators": indicators}[sys.argv[1]]()
        sys.exit(0)
    root = data / f"population-{SIZE}"
    if not (root / "persons.parquet").exists():
        made = subprocess.run(  # noqa: S603
            [sys.executable, str(Path(__file__).parent / "population_run.py"), "generate",
             str(SIZE), str(root)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        print(f"generated {SIZE:,} residents: {made.stdout.strip().splitlines()[-1]}")
    population = child("run", str(root))
    figures = child("indicators")
    print(f"== {population['people']:,} residents in 8 places, {population['events']:,} events")
    print(
        f"population run with programmes {population['engine']:6.1f} s   "
        f"kept as the snapshot {population['seconds']:6.1f} s   "
        f"peak {population['peak_mb']:,.0f} MB"
    )
    print(f"programme sizes: {population['programmes']}")
    print(
        f"indicators      {figures['seconds']:6.1f} s   {figures['figures']:,} figures   "
        f"({figures['missing']} not worked out: operational, a past month)   "
        f"peak {figures['peak_mb']:,.0f} MB"
    )
    total = population["seconds"] + figures["seconds"]
    peak = max(population["peak_mb"], figures["peak_mb"])
    print(
        f"the month's snapshot in all {total:6.1f} s, peak {peak:,.0f} MB   "
        "(target ≤ 60 s and ≤ 4,096 MB)"
    )
