"""The Jinja2 environment: NHS.UK design system macros plus Django's url and static."""

from datetime import date, datetime

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, Environment

from .permissions import may_review_matches, may_search_people


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


def age(birth: date | None, on: date | None = None) -> int | None:
    if birth is None:
        return None
    on = on or timezone.localdate()
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


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
        }
    )
    env.filters.update({"nhs_date": nhs_date, "thousands": thousands})
    return env
