"""Vega-Lite charts (Altair) of the indicators, rendered to SVG on the server; each sits
beside a table holding the same numbers."""

import altair as alt
import pandas as pd
import vl_convert

BLUE, GREY, RED = "#005eb8", "#768692", "#d5281b"


def _svg(chart) -> str:
    return vl_convert.vegalite_to_svg(chart.to_json())


def trend(summary) -> str | None:
    """The indicator month by month, with its 95% interval as a band."""
    points = [p for p in summary.trend if p.value is not None]
    if not points:
        return None
    data = pd.DataFrame(
        [
            {
                "month": p.month.strftime("%Y-%m"),
                "value": p.value,
                "lower": p.lower if p.lower is not None else p.value,
                "upper": p.upper if p.upper is not None else p.value,
            }
            for p in points
        ]
    )
    base = alt.Chart(data, title=summary.indicator.title).encode(x=alt.X("month:O", title="Month"))
    band = base.mark_area(opacity=0.25, color=BLUE).encode(
        y=alt.Y("lower:Q", title=_unit(summary.indicator)), y2="upper:Q"
    )
    line = base.mark_line(point=True, color=BLUE).encode(y="value:Q")
    layers = [band, line]
    if summary.indicator.target is not None:
        target = (
            alt.Chart(pd.DataFrame([{"target": summary.indicator.target}]))
            .mark_rule(color=RED, strokeDash=[4, 4])
            .encode(y="target:Q")
        )
        layers.append(target)
    return _svg(alt.layer(*layers).properties(width=460, height=220))


def funnel(indicator, overall: float, points, curve: list[dict]) -> str:
    """Practices' figures against their size, with the 95% and 99.8% limits."""
    frame = pd.DataFrame(curve)
    lines = []
    for column, dash in (("low95", [4, 2]), ("high95", [4, 2]), ("low998", []), ("high998", [])):
        lines.append(
            alt.Chart(frame)
            .mark_line(color=GREY, strokeDash=dash)
            .encode(x=alt.X("n:Q", title="People in the denominator"), y=f"{column}:Q")
        )
    mean = (
        alt.Chart(pd.DataFrame([{"overall": overall}])).mark_rule(color=GREY).encode(y="overall:Q")
    )
    dots = (
        alt.Chart(
            pd.DataFrame(
                [
                    {
                        "name": p.name,
                        "n": p.denominator,
                        "value": p.value,
                        "outside": "outside 99.8%" if p.outside else "within",
                    }
                    for p in points
                ]  # fmt: skip
            )
        )
        .mark_circle(size=50)
        .encode(
            x="n:Q",
            y=alt.Y("value:Q", title=_unit(indicator)),
            color=alt.Color(
                "outside:N", scale=alt.Scale(domain=["within", "outside 99.8%"], range=[BLUE, RED])
            ),
        )
    )
    chart = alt.layer(*lines, mean, dots, title=f"{indicator.title}: by GP practice")
    return _svg(chart.properties(width=460, height=260))


def _unit(indicator) -> str:
    return {"percent": "%", "per_1000": "per 1,000", "days": "days", "points": "points"}[
        indicator.unit
    ]
