"""Vega-Lite charts (Altair), rendered to SVG on the server so pages need no JavaScript.
Each chart sits beside a table holding the same numbers."""

import altair as alt
import pandas as pd
import vl_convert

from .models import PopulationRun
from .sql import AGE_BANDS
from .store import AnalyticsStore


def _svg(chart: alt.Chart, run: PopulationRun, name: str) -> str:
    path = AnalyticsStore().root / "runs" / f"chart-{run.pk}-{name}.svg"
    if path.exists():
        return path.read_text()
    svg = vl_convert.vegalite_to_svg(chart.to_json())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(svg)
    return svg


def multimorbidity_by_deprivation(run: PopulationRun, rows: list[dict], threshold: int) -> str:
    data = pd.DataFrame(
        [
            {"quintile": r["stratum"], "rate": float(r["asr"] or 0)}
            for r in rows
            if r["measure"] == "multimorbidity" and r["stratum"] != "unknown"
        ]
    )
    chart = (
        alt.Chart(
            data, title=f"Adults with {threshold}+ conditions by IMD quintile (1 = most deprived)"
        )
        .mark_bar(color="#005eb8")
        .encode(
            x=alt.X("quintile:N", title="IMD quintile"),
            y=alt.Y("rate:Q", title="Age-standardised rate per 100"),
        )
        .properties(width=420, height=240)
    )
    return _svg(chart, run, "imd")


def multimorbidity_by_age_and_deprivation(
    run: PopulationRun, rows: list[dict], threshold: int
) -> str:
    data = []
    for r in rows:
        if r["measure"] != "multimorbidity" or r["crude_rate"] == "":
            continue
        quintile, band = r["stratum"].split(" / ")
        if quintile in ("1", "5"):
            data.append(
                {
                    "age band": band,
                    "rate": float(r["crude_rate"]),
                    "IMD quintile": "1 (most deprived)" if quintile == "1" else "5 (least)",
                }
            )
    chart = (
        alt.Chart(
            pd.DataFrame(data), title=f"{threshold}+ conditions by age: most and least deprived"
        )
        .mark_line(point=True)
        .encode(
            x=alt.X("age band:N", title="Age band", sort=list(AGE_BANDS[1:])),
            y=alt.Y("rate:Q", title="Rate per 100"),
            color=alt.Color("IMD quintile:N", scale=alt.Scale(range=["#d5281b", "#005eb8"])),
        )
        .properties(width=420, height=240)
    )
    return _svg(chart, run, "age-imd")
