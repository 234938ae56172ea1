"""Settings per place: each place of a partnership keeps its own approach (which
conditions count, the cohort rule, caseload priorities, the review interval, the
assessment's questions, the directory's feeds) as configuration, not code.

Each app registers the sections it reads (``register_section``, from its
``AppConfig.ready()``) with a default and a function that checks a value. What a place
uses is the code default, overridden by the system's settings, overridden by the place's
own (``effective``). Every change is a new version (``PlaceSettings``), audited; nothing
is overwritten. ``export`` and ``import_settings`` are the file form
(``joinedup places settings export|import``).
"""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .actions import record_audit
from .models import Place, PlaceSettings, User


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    default: Callable[[], Any]  # the code's default (read each time: it may read files)
    clean: Callable[[Any], Any]  # a checked value, or ValueError saying what is wrong
    describe: Callable[[Any], str]  # the value in words, for the comparison page
    # For the settings page: {field: [(value, label), ...]} of a section's choices.
    options: Callable[[], dict[str, list[tuple[str, str]]]] = dict


_SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    _SECTIONS[section.name] = section


def sections() -> list[Section]:
    return list(_SECTIONS.values())


def _latest(place: Place | None) -> PlaceSettings | None:
    return (
        PlaceSettings.objects.filter(place=place).order_by("-version").first()
        if place is None or place.pk
        else None
    )


def _merge(base: Any, override: Any) -> Any:
    """Dicts merge key by key (one level down too); anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base.get(key), value) if isinstance(value, dict) else value
        return merged
    return copy.deepcopy(override)


def defaults() -> dict[str, Any]:
    return {s.name: s.default() for s in _SECTIONS.values()}


def effective(place: Place | None, *, system: dict | None = None) -> dict[str, Any]:
    """The settings a place uses (``place=None``: the system's own)."""
    values = defaults()
    system = system if system is not None else ((_latest(None) or PlaceSettings()).values or {})
    for name, value in system.items():
        if name in values:
            values[name] = _merge(values[name], value)
    if place is not None:
        own = (_latest(place) or PlaceSettings()).values or {}
        for name, value in own.items():
            if name in values:
                values[name] = _merge(values[name], value)
    return values


def by_place() -> dict[str | None, dict[str, Any]]:
    """{place code: its settings} for every place, and None for the system's default."""
    system = (_latest(None) or PlaceSettings()).values or {}
    result: dict[str | None, dict[str, Any]] = {None: effective(None, system=system)}
    for place in Place.objects.order_by("name"):
        result[place.code] = effective(place, system=system)
    return result


def overrides(place: Place | None) -> dict[str, Any]:
    """What this level sets itself."""
    return dict((_latest(place) or PlaceSettings()).values or {})


def check(values: Any, where: str) -> dict[str, Any]:
    """Checked settings of one level (only the sections given), or ValidationError naming
    each wrong section."""
    if not isinstance(values, dict):
        raise ValidationError(f"{where}: the settings must be an object of sections")
    errors: dict[str, list[str]] = {}
    clean = {}
    for name, value in values.items():
        section = _SECTIONS.get(name)
        if section is None:
            errors.setdefault("form", []).append(
                f"{where}: no setting called '{name}' (there are {', '.join(_SECTIONS)})"
            )
            continue
        try:
            clean[name] = section.clean(value)
        except (ValueError, TypeError, KeyError) as exc:
            errors[name] = [f"{where}, {section.title.lower()}: {exc}"]
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def save(
    *, by: User | None, place: Place | None, values: dict[str, Any], note: str = ""
) -> PlaceSettings | None:
    """Keep a new version of a level's own settings (all of them: a section left out goes
    back to what the level above says). None when nothing changed."""
    where = place.name if place else "the system"
    clean = check(values, where)
    if clean == overrides(place):
        return None
    version = (PlaceSettings.objects.filter(place=place).aggregate(v=Max("version"))["v"] or 0) + 1
    saved = PlaceSettings.objects.create(
        place=place,
        version=version,
        values=clean,
        saved_at=timezone.now(),
        saved_by=by if by is not None and by.is_authenticated else None,
        note=note[:300],
    )
    record_audit(
        by=by,
        action="place_settings.change",
        object_type="place_settings",
        object_id=saved.pk,
        detail={"place": place.code if place else "system", "version": version},
    )
    return saved


def export() -> dict[str, Any]:
    """Every level's own settings, as the settings file holds them."""
    return {
        "system": overrides(None),
        "places": {place.code: overrides(place) for place in Place.objects.order_by("code")},
    }


@transaction.atomic
def import_settings(*, by: User | None, path: Path | str, note: str = "") -> list[str]:
    """Load a settings file (as ``export`` writes it); all or nothing. Returns the levels
    that changed."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path.name}: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{path.name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except OSError as exc:
        raise ValidationError(f"{path.name}: {exc.strerror}") from exc
    if not isinstance(data, dict) or set(data) - {"system", "places"}:
        raise ValidationError(f"{path.name}: expected an object with 'system' and 'places'")
    places = {p.code: p for p in Place.objects.all()}
    levels: list[tuple[Place | None, dict]] = [(None, data.get("system") or {})]
    errors = []
    for code, values in (data.get("places") or {}).items():
        if code not in places:
            errors.append(f"{path.name}: no place {code}")
        else:
            levels.append((places[code], values))
    for place, values in levels:
        try:
            check(values, f"{path.name}, {place.code if place else 'system'}")
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    changed = []
    for place, values in levels:
        if save(by=by, place=place, values=values, note=note or f"from {path.name}"):
            changed.append(place.code if place else "system")
    return changed


def history(place: Place | None) -> list[PlaceSettings]:
    return list(
        PlaceSettings.objects.filter(place=place).select_related("saved_by").order_by("-version")
    )
