"""Theme suggestions (issue 21, part 8): the offline classifier against the held-out set of
labelled public comments (tests/data/themes/held_out.csv; target ≥ 0.85 agreement). Prints
training time, comments per second, peak memory, overall agreement (an English comment's
suggested theme among its labelled ones; another language's flagged), the main-theme
agreement, the flags, and each theme's precision and recall.

Runs in seconds; no database.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup import peak_memory_mb  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from joinedup.engagement import themes  # noqa: E402

HELD_OUT = ROOT / "tests" / "data" / "themes" / "held_out.csv"
REPEATS = 20  # the held-out set is small: suggest it this many times for a steady rate


def _figure(value) -> str:
    return "   –" if value is None else f"{value:5.2f}"


if __name__ == "__main__":
    labelled = themes.read_labelled(HELD_OUT)
    started = time.perf_counter()
    model = themes.train()
    trained = time.perf_counter() - started
    texts = [item.text for item in labelled]
    started = time.perf_counter()
    for _ in range(REPEATS):
        model.suggestions(texts)
    suggesting = time.perf_counter() - started
    result = themes.agreement(model, labelled)
    print(
        f"trained on {model.trained_on:,} comments and {len(themes.lexicon()):,} lexicon "
        f"terms in {trained:.2f} s; {len(texts) * REPEATS / suggesting:,.0f} comments/s; "
        f"peak memory {peak_memory_mb():,.0f} MB"
    )
    print(
        f"agreement {result['share']:.3f} on {result['comments']} held-out comments "
        f"(target ≥ 0.85): English {result['english_share']:.3f} of {result['english']} "
        f"(main theme {result['main_theme_share']:.3f}); other languages flagged "
        f"{result['flagged']} of {result['other_languages']}; English flagged "
        f"{result['english_flagged']}"
    )
    print(f"{'theme':<26} {'labelled':>8} {'precision':>9} {'recall':>7}")
    for theme, figures in result["per_theme"].items():
        print(
            f"{theme:<26} {figures['labelled']:>8} {_figure(figures['precision']):>9} "
            f"{_figure(figures['recall']):>7}"
        )
    sys.exit(0 if result["share"] >= 0.85 else 1)
