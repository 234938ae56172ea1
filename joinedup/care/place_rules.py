"""Care coordination's part of each place's settings (``core.place_settings``): how the
caseload is put in order (priority weights) and how often a plan is reviewed."""

from joinedup.core.place_settings import Section, register_section

from . import assessment, policies

BANDS = ("fit", "mild", "moderate", "severe")


def default_priority() -> dict:
    return {
        "frailty": dict(policies.FRAILTY_WEIGHT),
        "deprivation": {str(q): w for q, w in policies.DEPRIVATION_WEIGHT.items()},
        "admission": policies.ADMISSION_WEIGHT,
        "ae": policies.AE_WEIGHT,
        "hospital_cap": policies.HOSPITAL_CAP,
    }


def _weight(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
        raise ValueError(f"{name} must be a number from 0 to 10, not {value!r}")
    return float(value)


def _clean_priority(value) -> dict:
    if not isinstance(value, dict):
        raise ValueError("give frailty, deprivation, admission, ae and hospital_cap")
    known = set(default_priority())
    if set(value) - known:
        raise ValueError(f"no weight called {', '.join(sorted(set(value) - known))}")
    clean: dict = {}
    if "frailty" in value:
        if not isinstance(value["frailty"], dict) or set(value["frailty"]) - set(BANDS):
            raise ValueError(f"frailty weights are for {', '.join(BANDS)}")
        clean["frailty"] = {b: _weight(w, f"frailty {b}") for b, w in value["frailty"].items()}
    if "deprivation" in value:
        quintiles = {"1", "2", "3", "4", "5"}
        if (
            not isinstance(value["deprivation"], dict)
            or set(map(str, value["deprivation"])) - quintiles
        ):
            raise ValueError("deprivation weights are for IMD quintiles 1 to 5")
        clean["deprivation"] = {
            str(q): _weight(w, f"deprivation {q}") for q, w in value["deprivation"].items()
        }
    for name in ("admission", "ae", "hospital_cap"):
        if name in value:
            clean[name] = _weight(value[name], name)
    return clean


def _describe_priority(value: dict) -> str:
    frailty = ", ".join(f"{b} {value['frailty'].get(b, 0):g}" for b in BANDS)
    deprivation = ", ".join(f"{q} {value['deprivation'].get(str(q), 0):g}" for q in range(1, 6))
    return (
        f"CMS + frailty ({frailty}) + IMD quintile ({deprivation}) + hospital use (admission "
        f"{value['admission']:g}, A&E {value['ae']:g}, at most {value['hospital_cap']:g})"
    )


def _clean_interval(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 7 <= value <= 730:
        raise ValueError(f"a number of days from 7 to 730, not {value!r}")
    return value


def register() -> None:
    register_section(
        Section(
            "priority",
            "Caseload priority",
            default_priority,
            _clean_priority,
            _describe_priority,
        )
    )
    register_section(
        Section(
            "assessment",
            "Holistic assessment",
            lambda: {"remove_questions": [], "add_domains": []},
            assessment.clean_changes,
            assessment.describe_changes,
        )
    )
    register_section(
        Section(
            "review_interval_days",
            "Plan review interval",
            lambda: policies.REVIEW_INTERVAL_DAYS,
            _clean_interval,
            lambda days: f"every {days} days",
        )
    )
