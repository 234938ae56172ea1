"""The Jinja2 environment: NHS.UK design system macros plus Django's url and static."""

from datetime import date, datetime

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, Environment

from .forms import date_part
from .models import in_a_sentence
from .permissions import (
    may_administer_staff,
    may_curate_directory,
    may_engage,
    may_read_place_settings,
    may_review_matches,
    may_search_people,
    may_see_jobs,
)


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def nhs_date(value: date | datetime | None) -> str:
    """``date(1950, 1, 2)`` → ``"2 January 1950"`` (the NHS.UK style)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def thousands(value) -> str:
    """``16100`` → ``"16,100"``; text such as "≤7" is left as it is."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def plural(count, singular: str, plural: str | None = None) -> str:
    """A count with its noun: ``plural(1, "seat")`` → "1 seat", ``plural(1200, "person",
    "people")`` → "1,200 people". Nothing counted is 0; text such as "≤7" takes the
    plural. In templates: ``{{ n | plural("seat") }}``."""
    count = 0 if count is None else count
    try:
        one = int(count) == 1
    except (TypeError, ValueError):
        one = False
    return f"{thousands(count)} {singular if one else plural or singular + 's'}"


def percent(value, places: int = 1) -> str:
    """``0.1234`` → ``"12.3%"``; nothing known → "–"."""
    if value is None:
        return "–"
    return f"{value * 100:.{places}f}%"


def age(birth: date | None, on: date | None = None) -> int | None:
    if birth is None:
        return None
    on = on or timezone.localdate()
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# Form helpers: turn what views hold into the item dicts the NHS.UK macros take.


def error_item(pair: tuple[str, str]) -> dict:
    """``("due", "Enter a date")`` → an error-summary entry linking to the field."""
    field, message = pair
    return {"text": message, "href": f"#{field}"}


def choice_item(pair: tuple, chosen=None) -> dict:
    """``(value, label)`` → a select option or radio/checkbox item."""
    value, label = pair
    on = chosen is not None and str(value) == str(chosen)
    return {"value": str(value), "text": str(label), "selected": on, "checked": on}


def model_item(obj, chosen=None) -> dict:
    return choice_item((obj.pk, str(obj)), chosen)


def user_item(user, chosen=None) -> dict:
    return choice_item((user.pk, user.get_full_name() or user.username), chosen)


def multi_item(pair: tuple, chosen: list) -> dict:
    """A checkbox item, checked when its value is among ``chosen``."""
    value, label = pair
    return {"value": str(value), "text": str(label), "checked": str(value) in map(str, chosen)}


def number_item(number: int, chosen=None) -> dict:
    return choice_item((number, f"Version {number}"), chosen)


def iso_date(text: str) -> date | None:
    """``"2027-03-01"`` → a date (for ``nhs_date``)."""
    return date.fromisoformat(text) if text else None


# Globals other apps add from ``ready()`` (e.g. the patient banner), so core imports none
# of them.
_APP_GLOBALS: dict = {}


def register_global(name: str, value) -> None:
    _APP_GLOBALS[name] = value


def environment(**options) -> Environment:
    # The NHS.UK macros test optional parameters, so undefined values stay lenient.
    options["undefined"] = ChainableUndefined
    # Django's Jinja2 backend passes autoescape=True in options.
    env = Environment(**options)  # noqa: S701
    env.globals.update(
        {
            "url": url,
            "static": static,
            "get_messages": get_messages,
            "age": age,
            "may_search_people": may_search_people,
            "may_review_matches": may_review_matches,
            "may_curate_directory": may_curate_directory,
            "may_engage": may_engage,
            "may_administer_staff": may_administer_staff,
            "may_see_jobs": may_see_jobs,
            "may_read_place_settings": may_read_place_settings,
            "date_part": date_part,
            **_APP_GLOBALS,
        }
    )
    env.filters.update(
        {
            "nhs_date": nhs_date,
            "thousands": thousands,
            "percent": percent,
            "plural": plural,
            "error_item": error_item,
            "choice_item": choice_item,
            "model_item": model_item,
            "user_item": user_item,
            "multi_item": multi_item,
            "number_item": number_item,
            "iso_date": iso_date,
            "in_a_sentence": in_a_sentence,
        }
    )
    return env
