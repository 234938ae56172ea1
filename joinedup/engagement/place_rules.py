"""Engagement's part of each place's settings (``core.place_settings``): the population
shares a place's panel is compared with where the residents' records do not say (the 2021
Census's disability, LGBT+ and unpaid carers for that place). A place without its own uses
the shares loaded for the system (``joinedup engagement margins``)."""

from joinedup.core.place_settings import Section, register_section

CATEGORIES = ("disability", "lgbt", "carer")
VALUES = ("yes", "no")


def _clean(value) -> dict:
    if not isinstance(value, dict) or set(value) - set(CATEGORIES):
        raise ValueError(f"give shares for {', '.join(CATEGORIES)}")
    clean = {}
    for category, shares in value.items():
        if not isinstance(shares, dict) or set(shares) - set(VALUES):
            raise ValueError(f"{category}: give the shares of yes and no")
        for v, share in shares.items():
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
                raise ValueError(f"{category} {v}: a share from 0 to 1, not {share!r}")
        if sum(shares.values()) > 1.0001:
            raise ValueError(f"{category}: the shares add up to more than 1")
        clean[category] = {v: float(s) for v, s in shares.items()}
    return clean


def _describe(value: dict) -> str:
    if not value:
        return "The system's census shares"
    return "; ".join(f"{c}: {round(100 * v.get('yes', 0))}% yes" for c, v in sorted(value.items()))


def register() -> None:
    register_section(
        Section("panel_margins", "Citizens' panel: census shares", dict, _clean, _describe)
    )
