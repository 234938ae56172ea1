"""Generate and load the borough (default 230,000 residents) into a fresh database.

Target (issue 2): ≤ 60 s on a 2-core machine.
"""

import sys
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup import RESIDENTS, configure, peak_memory_mb  # noqa: E402

data = configure()
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

if __name__ == "__main__":
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        Path(database["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    if not database["ENGINE"].endswith("sqlite3"):
        from joinedup.synth.actions import remove_demo_borough

        remove_demo_borough()

    from joinedup.synth.actions import load_demo_borough

    started = perf_counter()
    load_demo_borough(residents=RESIDENTS, seed=1)
    seconds = perf_counter() - started
    print(f"database            {database['ENGINE'].rsplit('.', 1)[-1]}")
    print(f"residents           {RESIDENTS:,}")
    print(f"time                {seconds:.1f} s   (target ≤ 60 s for 230,000)")
    print(f"rows per second     {RESIDENTS / seconds:,.0f} residents/s")
    print(f"peak memory         {peak_memory_mb():,.0f} MB")
