"""The population's part of each place's settings (``core.place_settings``): who is in
the cohort (how many long-term conditions, and a frailty band where a place asks for one)
and which conditions count towards it. The code's defaults come from the population
definitions (``population.json``): 3+ of the conditions marked as counting."""

from dataclasses import dataclass

from joinedup.core.place_settings import Section, register_section

from .config import load_config


@dataclass(frozen=True)
class CohortRule:
    """In the cohort: an adult with ``min_conditions`` or more long-term conditions that
    count (``conditions``), and, when ``frailty_bands`` is not empty, frailty in one of
    those bands."""

    min_conditions: int
    frailty_bands: tuple[str, ...]
    conditions: tuple[str, ...]

    def includes(self, *, ltc_count: int, efi_band: str) -> bool:
        return ltc_count >= self.min_conditions and (
            not self.frailty_bands or efi_band in self.frailty_bands
        )

    def in_words(self) -> str:
        text = f"{self.min_conditions}+ long-term conditions"
        if self.frailty_bands:
            text += " with " + " or ".join(self.frailty_bands) + " frailty"
        return text


def rule_from(values: dict) -> CohortRule:
    """The cohort rule of a place's (effective) settings."""
    cohort = values["cohort"]
    return CohortRule(
        min_conditions=int(cohort["min_conditions"]),
        frailty_bands=tuple(cohort.get("frailty_bands") or ()),
        conditions=tuple(values["conditions"]),
    )


def _band_names() -> list[str]:
    return [name for name, _ in load_config().efi_bands]


def _default_cohort() -> dict:
    return {"min_conditions": load_config().multimorbidity_threshold, "frailty_bands": []}


def _clean_cohort(value) -> dict:
    if not isinstance(value, dict) or set(value) - {"min_conditions", "frailty_bands"}:
        raise ValueError("give min_conditions (a number) and frailty_bands (a list)")
    clean = {}
    if "min_conditions" in value:
        n = value["min_conditions"]
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 10:
            raise ValueError(f"min_conditions must be a whole number from 1 to 10, not {n!r}")
        clean["min_conditions"] = n
    if "frailty_bands" in value:
        bands = value["frailty_bands"]
        known = _band_names()
        if not isinstance(bands, list) or any(b not in known for b in bands):
            raise ValueError(f"frailty_bands must be a list of {', '.join(known)}")
        clean["frailty_bands"] = [b for b in known if b in bands]
    return clean


def _describe_cohort(value: dict) -> str:
    return rule_from({"cohort": value, "conditions": ()}).in_words()


def _default_conditions() -> list[str]:
    return [c.key for c in load_config().conditions if c.counts_towards_multimorbidity]


def _clean_conditions(value) -> list[str]:
    known = [c.key for c in load_config().conditions]
    if not isinstance(value, list) or not value:
        raise ValueError("give the list of condition keys that count")
    unknown = [k for k in value if k not in known]
    if unknown:
        raise ValueError(
            f"no condition {', '.join(map(str, unknown))} (there are {', '.join(known)})"
        )
    return [k for k in known if k in value]


def _describe_conditions(value: list[str]) -> str:
    default = set(_default_conditions())
    labels = {c.key: c.label for c in load_config().conditions}
    left_out = [labels[k] for k in sorted(default - set(value))]
    added = [labels[k] for k in sorted(set(value) - default)]
    text = f"{len(value)} conditions"
    if left_out:
        text += "; not " + ", ".join(left_out)
    if added:
        text += "; also " + ", ".join(added)
    return text


# Core20PLUS5: the most deprived 20% nationally, plus the groups a place names as its own
# PLUS groups (each a programme rule: population.programmes). The code's default is two of
# NHS England's examples the coded record can find.
DEFAULT_PLUS_GROUPS = [
    {"label": "People with a learning disability", "rule": {"condition": ["learning_disability"]}},
    {"label": "People with severe mental illness", "rule": {"condition": ["smi"]}},
]


def _default_plus_groups() -> dict:
    return {"groups": DEFAULT_PLUS_GROUPS}


def _clean_plus_groups(value) -> dict:
    from .programmes import check_rule

    if (
        not isinstance(value, dict)
        or set(value) != {"groups"}
        or not isinstance(value["groups"], list)
    ):
        raise ValueError('give {"groups": [{"label": ..., "rule": {...}}, ...]}')
    config = load_config()
    clean = []
    for i, group in enumerate(value["groups"]):
        if not isinstance(group, dict) or set(group) != {"label", "rule"}:
            raise ValueError(f"groups[{i}]: give a label and a rule")
        label = str(group["label"]).strip()[:100]
        if not label:
            raise ValueError(f"groups[{i}]: the label is empty")
        try:
            check_rule(
                group["rule"],
                f"groups[{i}].rule",
                conditions=set(config.condition_keys),
                bands=set(_band_names()),
            )
        except Exception as exc:  # ValidationError: said as the settings page says errors
            raise ValueError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        clean.append({"label": label, "rule": group["rule"]})
    return {"groups": clean}


def _describe_plus_groups(value: dict) -> str:
    labels = [g["label"] for g in value.get("groups", [])]
    return "Most deprived 20%" + ("; " + ", ".join(labels) if labels else " only")


def plus_rule(values: dict) -> dict | None:
    """The PLUS groups of a place's (effective) settings as one rule (None when it names
    none: Core20 alone)."""
    groups = [g["rule"] for g in values["plus_groups"]["groups"]]
    return {"any": groups} if groups else None


def register() -> None:
    register_section(
        Section(
            "cohort",
            "Who is in the cohort",
            _default_cohort,
            _clean_cohort,
            _describe_cohort,
            options=lambda: {"frailty_bands": [(b, b.capitalize()) for b in _band_names()]},
        )
    )
    register_section(
        Section(
            "conditions",
            "Conditions that count",
            _default_conditions,
            _clean_conditions,
            _describe_conditions,
            options=lambda: {"conditions": [(c.key, c.label) for c in load_config().conditions]},
        )
    )
    register_section(
        Section(
            "plus_groups",
            "Core20PLUS5: the place's PLUS groups",
            _default_plus_groups,
            _clean_plus_groups,
            _describe_plus_groups,
        )
    )
