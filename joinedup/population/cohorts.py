"""Cohort definitions: checking them, and the profiles they select."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from .config import PopulationConfig
from .models import Cohort, PersonProfile

KEYS = {
    "min_ltc_count",
    "conditions_all",
    "conditions_any",
    "efi_bands",
    "min_age",
    "max_age",
    "imd_quintiles",
}

DEFAULT_COHORTS = (
    (
        "ltc-3-plus",
        "Adults with 3 or more long-term conditions",
        {"min_ltc_count": 3, "min_age": 18},
    ),
    (
        "ltc-3-plus-frail",
        "3+ long-term conditions and moderate or severe frailty",
        {"min_ltc_count": 3, "min_age": 18, "efi_bands": ["moderate", "severe"]},
    ),
)


def check_definition(definition: dict, config: PopulationConfig) -> None:
    unknown = set(definition) - KEYS
    if unknown:
        raise ValidationError(f"Unknown cohort field: {', '.join(sorted(unknown))}")
    known = set(config.condition_keys)
    for field in ("conditions_all", "conditions_any"):
        bad = [c for c in definition.get(field, []) if c not in known]
        if bad:
            raise ValidationError(f"{field}: unknown condition {', '.join(bad)}")
    bands = {name for name, _ in config.efi_bands}
    bad = [b for b in definition.get("efi_bands", []) if b not in bands]
    if bad:
        raise ValidationError(f"efi_bands: unknown band {', '.join(bad)}")


def cohort_profiles(cohort: Cohort) -> QuerySet[PersonProfile]:
    """Profiles in the current run that meet the cohort's definition."""
    d = cohort.definition
    q = Q(run__current=True)
    if "min_ltc_count" in d:
        q &= Q(ltc_count__gte=d["min_ltc_count"])
    if "min_age" in d:
        q &= Q(age__gte=d["min_age"])
    if "max_age" in d:
        q &= Q(age__lte=d["max_age"])
    if "efi_bands" in d:
        q &= Q(efi_band__in=d["efi_bands"])
    if "imd_quintiles" in d:
        q &= Q(imd_quintile__in=d["imd_quintiles"])
    for condition in d.get("conditions_all", []):
        q &= Q(conditions__contains=f",{condition},")
    if d.get("conditions_any"):
        any_of = Q(pk__in=[])
        for condition in d["conditions_any"]:
            any_of |= Q(conditions__contains=f",{condition},")
        q &= any_of
    return PersonProfile.objects.filter(q)
