"""The directory's part of each place's settings (``core.place_settings``): the Open
Referral feeds a place's services come from (refreshed with every other feed), and how far
from a resident's home a search for them looks at first (its catchment)."""

from joinedup.core.place_settings import Section, register_section

DISTANCES_KM = (0, 1, 2, 5, 10)  # as the search form offers them; 0 is any distance


def _clean(value) -> dict:
    if not isinstance(value, dict) or set(value) - {"feeds", "search_km"}:
        raise ValueError("give feeds (a list of https addresses) and search_km")
    clean: dict = {}
    if "feeds" in value:
        feeds = value["feeds"]
        if not isinstance(feeds, list) or not all(
            isinstance(f, str) and f.startswith("https://") and len(f) <= 500 for f in feeds
        ):
            raise ValueError("feeds must be a list of https:// addresses")
        clean["feeds"] = list(dict.fromkeys(feeds))
    if "search_km" in value:
        if value["search_km"] not in DISTANCES_KM:
            raise ValueError(f"search_km must be one of {', '.join(map(str, DISTANCES_KM))}")
        clean["search_km"] = value["search_km"]
    return clean


def _describe(value: dict) -> str:
    feeds = len(value["feeds"])
    reach = f"within {value['search_km']} km" if value["search_km"] else "at any distance"
    return f"{feeds} feed{'s' if feeds != 1 else ''} of its own; searches for a resident {reach}"


def register() -> None:
    register_section(
        Section(
            "directory",
            "Service directory",
            lambda: {"feeds": [], "search_km": 0},
            _clean,
            _describe,
        )
    )


def place_feeds() -> list[str]:
    """Every feed the places' settings name."""
    from joinedup.core.place_settings import by_place

    return sorted({f for values in by_place().values() for f in values["directory"]["feeds"]})
