"""The population definitions (conditions, registers, CMS weights, eFI deficits), read
from ``data/population.json`` or the file named by ``JOINEDUP_POPULATION_CONFIG``."""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "population.json"
RULES = ("ever", "latest_not_resolved", "within_5_years")


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    diagnosis: tuple[str, ...]
    resolved: tuple[str, ...]
    rule: str
    min_age: int
    counts_towards_multimorbidity: bool
    cms_weight: float
    cms_group: str
    # Mental health: shown only to those who may see sensitive sections
    # (``people.access.sees_sensitive``).
    sensitive: bool = False


@dataclass(frozen=True)
class Deficit:
    key: str
    label: str
    codelists: tuple[str, ...]


@dataclass(frozen=True)
class PopulationConfig:
    conditions: tuple[Condition, ...]
    efi_deficits: tuple[Deficit, ...]
    multimorbidity_threshold: int
    adult_age: int
    efi_min_age: int
    efi_bands: tuple[tuple[str, float], ...]
    polypharmacy_threshold: int
    sources: dict = field(default_factory=dict)

    @property
    def condition_keys(self) -> list[str]:
        return [c.key for c in self.conditions]

    def condition_labels(self, keys, *, show_sensitive: bool = True) -> tuple[list[str], int]:
        """The labels of these condition keys, and how many sensitive ones were withheld.

        >>> load_config().condition_labels(["asthma", "depression"], show_sensitive=False)
        (['Asthma'], 1)
        """
        by_key = {c.key: c for c in self.conditions}
        shown, withheld = [], 0
        for key in keys:
            condition = by_key.get(key)
            if condition is not None and condition.sensitive and not show_sensitive:
                withheld += 1
            else:
                shown.append(condition.label if condition else key)
        return shown, withheld

    def codelist_slugs(self) -> set[str]:
        slugs = {s for c in self.conditions for s in c.diagnosis + c.resolved}
        return slugs | {s for d in self.efi_deficits for s in d.codelists}


def parse_config(data: dict, origin: str = "population config") -> PopulationConfig:
    """Build and check a config; errors name the entry and field."""
    try:
        conditions = tuple(
            Condition(
                key=c["key"],
                label=c["label"],
                diagnosis=tuple(c["diagnosis"]),
                resolved=tuple(c.get("resolved", [])),
                rule=c["rule"],
                min_age=int(c.get("min_age", 0)),
                counts_towards_multimorbidity=bool(c.get("counts_towards_multimorbidity", True)),
                cms_weight=float(c.get("cms_weight", 0)),
                cms_group=str(c.get("cms_group", c["key"])),
                sensitive=bool(c.get("sensitive", False)),
            )
            for c in data["conditions"]
        )
        deficits = tuple(
            Deficit(key=d["key"], label=d["label"], codelists=tuple(d["codelists"]))
            for d in data["efi_deficits"]
        )
        bands = tuple((str(name), float(upper)) for name, upper in data["efi_bands"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"{origin}: missing or malformed field {exc}") from exc
    for c in conditions:
        if c.rule not in RULES:
            raise ValidationError(f"{origin}: condition {c.key}: rule must be one of {RULES}")
        if not c.diagnosis:
            raise ValidationError(f"{origin}: condition {c.key}: needs a diagnosis codelist")
    keys = [c.key for c in conditions]
    if len(set(keys)) != len(keys):
        raise ValidationError(f"{origin}: condition keys must be unique")
    return PopulationConfig(
        conditions=conditions,
        efi_deficits=deficits,
        multimorbidity_threshold=int(data.get("multimorbidity_threshold", 3)),
        adult_age=int(data.get("adult_age", 18)),
        efi_min_age=int(data.get("efi_min_age", 65)),
        efi_bands=bands,
        polypharmacy_threshold=int(data.get("polypharmacy_threshold", 5)),
        sources={k: v for k, v in data.items() if k.endswith("_source")},
    )


@cache
def load_config(path: str | None = None) -> PopulationConfig:
    path = path or settings.POPULATION_CONFIG or str(DEFAULT_PATH)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{path}: cannot read population config: {exc}") from exc
    return parse_config(data, origin=Path(path).name)
