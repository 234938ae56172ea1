"""Sortition speed (issue 8): LEXIMIN on the paper's two reference instances (targets
≤ 10 s for example_small_20, ≤ 10 minutes for example_large_200; the paper's Gurobi-based
code took 2.7 s and 1,161.8 s) and on a synthetic pool of 1,000 respondents, 6 categories,
panel of 50 (≤ 2 minutes). Prints each time and minimum probability, and legacy's.

Needs the reference data (../shared/data beside the repository, or the folder named in
JOINEDUP_REFERENCE_DATA: tests/reference_data.py) for the reference instances.
"""

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup import peak_memory_mb  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from joinedup.engagement import sortition  # noqa: E402
from tests.reference_data import SORTITION as DATA  # noqa: E402

SKIP_LARGE = os.environ.get("BENCH_SKIP_LARGE") == "1"


def synthetic(n: int = 1000, k: int = 50, seed: int = 5) -> sortition.Instance:
    """1,000 respondents over 6 categories, skewed as real respondent pools are (older,
    more educated, more women), with quotas of ±2 around the population's shares."""
    rng = np.random.default_rng(seed)
    # category: (values, shares in the pool, shares in the population)
    categories = {
        "gender": (["female", "male"], [0.58, 0.42], [0.51, 0.49]),
        "age": (["16-29", "30-44", "45-64", "65+"], [0.12, 0.2, 0.38, 0.3],
                [0.22, 0.26, 0.32, 0.2]),
        "ethnicity": (["white", "asian", "black", "mixed", "other"],
                      [0.7, 0.14, 0.09, 0.04, 0.03], [0.55, 0.2, 0.14, 0.06, 0.05]),
        "imd": (["1", "2", "3", "4", "5"], [0.12, 0.16, 0.2, 0.24, 0.28],
                [0.3, 0.25, 0.2, 0.15, 0.1]),
        "disability": (["yes", "no"], [0.16, 0.84], [0.2, 0.8]),
        "carer": (["yes", "no"], [0.14, 0.86], [0.12, 0.88]),
    }  # fmt: skip
    features, values = [], [dict() for _ in range(n)]
    for category, (names, pool_share, target) in categories.items():
        picks = rng.choice(len(names), size=n, p=pool_share)
        for i, j in enumerate(picks):
            values[i][category] = names[j]
        for name, share in zip(names, target, strict=True):
            centre = round(share * k)
            features.append(sortition.Feature(category, name, max(0, centre - 2), centre + 2))
    ids = [str(i + 1) for i in range(n)]
    return sortition.Instance(k=k, features=features, ids=ids, values=values, households=[""] * n)


def run(name: str, instance: sortition.Instance, target: str) -> None:
    result = sortition.leximin(instance)
    stats = sortition.summary(result.marginals)
    print(
        f"{name:<22} LEXIMIN {result.seconds:8.1f} s   minimum {stats['minimum']:6.2%}   "
        f"gini {stats['gini']:5.1%}   geometric mean {stats['geometric_mean']:6.2%}   "
        f"{result.notes['rounds']} rounds, {result.notes['integer_programmes']} integer "
        f"programmes   {target}",
        flush=True,
    )
    started = time.perf_counter()
    legacy = sortition.legacy(instance, runs=1000, seed=1)
    stats = sortition.summary(legacy.marginals)
    print(
        f"{'':<22} legacy  {time.perf_counter() - started:8.1f} s   minimum {stats['minimum']:6.2%}"
        f"   gini {stats['gini']:5.1%}   geometric mean {stats['geometric_mean']:6.2%}   "
        "(estimated from 1,000 draws)",
        flush=True,
    )


if __name__ == "__main__":
    for folder, k, target in (
        ("example_small_20", 20, "(target ≤ 10 s; paper 2.7 s with Gurobi)"),
        ("example_large_200", 200, "(target ≤ 600 s; paper 1,161.8 s with Gurobi)"),
    ):
        path = DATA / folder
        if not path.exists():
            print(f"{folder:<22} skipped: {path} is not here")
            continue
        if SKIP_LARGE and k == 200:
            print(f"{folder:<22} skipped (BENCH_SKIP_LARGE=1)")
            continue
        instance = sortition.Instance.from_files(
            path / "categories.csv", path / "respondents.csv", k
        )
        run(folder, instance, target)
    run("synthetic 1,000 / 6 / 50", synthetic(), "(target ≤ 120 s)")
    print(f"peak memory         {peak_memory_mb():,.0f} MB")
