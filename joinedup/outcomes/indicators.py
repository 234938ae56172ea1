"""The partnership's indicators, as configuration (``data/indicators.json``).

Each has a ``key``, a ``title``, the Long Term Plan area it reports to (``ltp_area``, the
engagement themes' keys), whether it is a Core20PLUS5 measure, its ``unit`` ("percent",
"per_1000", "days" or "points"), which way is better (``direction``: higher, lower or
neutral), an optional ``target``, and its ``measure``: where its numerator and denominator
come from.

A population measure (``"source": "population"``) reads the month's population snapshot:
its ``denominator`` is everyone registered, narrowed by ``min_age`` and/or ``programme``
(those whose record meets a programme's rule); its ``numerator`` is those of them in a
``programme``, in Core20PLUS (``"core20plus": true``), or a ``sum`` of a count they carry
(``admissions_12m``, ``ae_12m``). Other sources are the operational figures
``outcomes.measures`` works out from care, the directory and engagement.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

DEFINITIONS = Path(__file__).resolve().parent / "data" / "indicators.json"
UNITS = {"percent": 100.0, "per_1000": 1000.0, "days": 1.0, "points": 1.0}
DIRECTIONS = ("higher", "lower", "neutral")
LTP_AREAS = (
    "prevention", "maternity-children", "primary-social-community", "urgent-emergency",
    "mental-health", "cancer", "hospital-specialist", "other",
)  # fmt: skip
SUMMABLE = ("admissions_12m", "ae_12m")


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    description: str
    ltp_area: str
    core20plus5: bool
    unit: str
    direction: str
    target: float | None
    measure: dict

    @property
    def scale(self) -> float:
        return UNITS[self.unit]


def _check_measure(measure, where: str, programmes: set[str]) -> None:
    from .measures import SOURCES

    if not isinstance(measure, dict) or measure.get("source") not in SOURCES:
        raise ValidationError(f"{where}.source: one of {', '.join(SOURCES)}")
    if measure["source"] != "population":
        return
    denominator, numerator = measure.get("denominator"), measure.get("numerator")
    if not isinstance(denominator, dict) or set(denominator) - {"min_age", "programme"}:
        raise ValidationError(f"{where}.denominator: min_age and/or programme")
    if not isinstance(numerator, dict) or len(numerator) != 1:
        raise ValidationError(f"{where}.numerator: one of programme, core20plus, sum")
    for part in (denominator, numerator):
        if "programme" in part and part["programme"] not in programmes:
            raise ValidationError(f"{where}: no programme {part['programme']!r}")
    if "sum" in numerator and numerator["sum"] not in SUMMABLE:
        raise ValidationError(f"{where}.numerator.sum: one of {', '.join(SUMMABLE)}")
    if "core20plus" in numerator and numerator["core20plus"] is not True:
        raise ValidationError(f"{where}.numerator.core20plus: must be true")
    min_age = denominator.get("min_age", 0)
    if isinstance(min_age, bool) or not isinstance(min_age, int) or not 0 <= min_age <= 120:
        raise ValidationError(f"{where}.denominator.min_age: a whole number of years")


def load_indicators(path: Path | None = None) -> tuple[Indicator, ...]:
    from joinedup.population.programmes import load_programmes

    path = path or DEFINITIONS
    programmes = {p.key for p in load_programmes()}
    indicators = []
    for i, entry in enumerate(json.loads(path.read_text(encoding="utf-8"))["indicators"]):
        where = f"{path.name}: indicators[{i}]"
        for key in ("key", "title", "ltp_area", "unit", "direction", "measure"):
            if key not in entry:
                raise ValidationError(f"{where}: missing {key}")
        if entry["unit"] not in UNITS:
            raise ValidationError(f"{where}.unit: one of {', '.join(UNITS)}")
        if entry["direction"] not in DIRECTIONS:
            raise ValidationError(f"{where}.direction: one of {', '.join(DIRECTIONS)}")
        if entry["ltp_area"] not in LTP_AREAS:
            raise ValidationError(f"{where}.ltp_area: one of {', '.join(LTP_AREAS)}")
        _check_measure(entry["measure"], f"{where}.measure", programmes)
        indicators.append(
            Indicator(
                key=entry["key"],
                title=entry["title"],
                description=entry.get("description", ""),
                ltp_area=entry["ltp_area"],
                core20plus5=bool(entry.get("core20plus5", False)),
                unit=entry["unit"],
                direction=entry["direction"],
                target=entry.get("target"),
                measure=entry["measure"],
            )
        )
    keys = [i.key for i in indicators]
    if len(set(keys)) != len(keys):
        raise ValidationError(f"{path.name}: indicator keys must be unique")
    return tuple(indicators)
