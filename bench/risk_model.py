"""The admission risk model (ADR 0017) on the synthetic borough: features a year back by
the engine's SQL, logistic regression fitted on three quarters of the people, AUROC and
calibration on the held-out quarter; then scoring everyone (with their reasons) as of
today. Prints training rows, seconds, AUROC and peak memory.

``BENCH_RESIDENTS`` (default 230,000) sets the size. The store is generated straight to
Parquet (as in ``population_run.py``); each measurement runs in a fresh process.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup import RESIDENTS, configure, peak_memory_mb  # noqa: E402


def train_and_score(root: Path) -> None:
    import numpy as np
    from population_run import AS_OF

    from joinedup.population import risk
    from joinedup.population.config import load_config
    from joinedup.population.store import AnalyticsStore
    from joinedup.synth.clinical import starter_codes

    codes = {k: [int(c) for c in v] for k, v in starter_codes().items()}
    config, store = load_config(), AnalyticsStore(root)
    started = perf_counter()
    table = risk.feature_table(
        store=store, config=config, codelists=codes, as_of=risk.training_date(AS_OF), labels=True
    )
    features_seconds = perf_counter() - started
    t = perf_counter()
    fitted = risk.fit(table, risk.feature_names(config))
    fit_seconds = perf_counter() - t
    t = perf_counter()
    now = risk.feature_table(store=store, config=config, codelists=codes, as_of=AS_OF, labels=False)
    x = risk.matrix(now, fitted.features)
    scores = risk.predict(fitted, x)
    parts = risk.contributions(fitted, x)
    reasons = risk.all_reasons(fitted, x, parts)
    score_seconds = perf_counter() - t
    print(
        json.dumps(
            {
                "training_rows": fitted.training_rows,
                "held_out_rows": fitted.held_out_rows,
                "features": len(fitted.features),
                "admitted_share": round(fitted.admitted_share, 4),
                "auroc": round(fitted.auroc, 4),
                "features_seconds": round(features_seconds, 2),
                "fit_seconds": round(fit_seconds, 2),
                "training_seconds": round(features_seconds + fit_seconds, 2),
                "scored": len(scores),
                "mean_score": round(float(np.mean(scores)), 4),
                "with_reasons": sum(1 for r in reasons if r),
                "score_seconds": round(score_seconds, 2),
                "calibration": fitted.calibration,
                "peak_mb": round(peak_memory_mb()),
            }
        )
    )


def main() -> None:
    data = configure()
    with tempfile.TemporaryDirectory(dir=data) as folder:
        root = Path(folder) / "store"
        here = Path(__file__).resolve()
        code = (
            f"import sys; sys.path.insert(0, {str(here.parent)!r}); "
            "from setup import configure; configure(); "
            "import population_run, risk_model; from pathlib import Path; "
        )
        generated = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-c",
                code + f"population_run.generate({RESIDENTS}, Path({str(root)!r}))",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        made = json.loads(generated.stdout.strip().splitlines()[-1])
        print(
            f"{RESIDENTS:,} residents, {made['events']:,} events "
            f"({made['seconds']:.1f} s to generate)"
        )
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code + f"risk_model.train_and_score(Path({str(root)!r}))"],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"risk model: {r['training_rows']:,} people trained on, "
            f"{r['held_out_rows']:,} held out, "
            f"{r['features']} features, {r['admitted_share']:.1%} admitted in the year after"
        )
        print(
            f"  training {r['training_seconds']:.1f} s (features {r['features_seconds']:.1f} s, "
            f"fit {r['fit_seconds']:.1f} s); AUROC {r['auroc']:.3f} on the held out; "
            f"peak {r['peak_mb']:,} MB"
        )
        print(
            f"  scoring {r['scored']:,} people with reasons: {r['score_seconds']:.1f} s "
            f"(mean risk {r['mean_score']:.1%}, {r['with_reasons']:,} with a reason)"
        )
        print("  calibration (held out, tenths by predicted risk): predicted / observed")
        for d in r["calibration"]:
            print(f"    {d['decile']:>2}: {d['predicted']:6.1%} / {d['observed']:6.1%}")


if __name__ == "__main__":
    main()
