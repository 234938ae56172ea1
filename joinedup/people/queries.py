"""Reads of residents that need more than one line."""

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from joinedup.core.models import AuditEvent, Membership

from .access import accessible_people, trace_people
from .models import Person
from .validation import clean_nhs_number, search_form

SEARCH_LIMIT = 50
_SEARCH_FIELDS = (
    "id",
    "nhs_number",
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "postcode",
    "date_of_death",
    "registered_practice__name",
)


@dataclass
class SearchResult:
    person: Person
    accessible: bool


def _prefix(field: str, value: str) -> Q:
    # A range, not LIKE, so that the B-tree index serves it on SQLite and PostgreSQL.
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\uffff"})


def search_people(
    membership: Membership, *, text: str = "", birth_date: date | None = None
) -> tuple[str, list[SearchResult]]:
    """Find people by NHS number, by surname and date of birth, or by partial name.

    - an NHS number, or a full surname with date of birth, traces anyone in the area
      (showing identifying details only, so staff can break glass in an emergency);
    - a partial name (``"smi"``, ``"jo smi"``) searches only the people the user
      already has a relationship with.

    Returns the kind of search done and at most ``SEARCH_LIMIT`` results.
    """
    text = (text or "").strip()
    mine = accessible_people(membership)
    digits = re.sub(r"[\s-]", "", text)
    if digits.isdecimal() and len(digits) >= 6:
        number = clean_nhs_number(digits, field="text")
        found = list(trace_people().filter(nhs_number=number).select_related("registered_practice"))
        return "nhs_number", _flag(found, mine)
    words = [search_form(w) for w in re.split(r"[\s,]+", text) if search_form(w)]
    if birth_date and words:
        found = list(
            trace_people()
            .filter(
                search_family_name=words[-1] if len(words) > 1 else words[0], birth_date=birth_date
            )
            .select_related("registered_practice")
            .order_by("search_family_name", "search_given_name")[:SEARCH_LIMIT]
        )
        if len(words) > 1:
            found = [p for p in found if p.search_given_name.startswith(words[0])]
        return "surname_birth_date", _flag(found, mine)
    if not words:
        return "empty", []
    if len(words) == 1:
        match = _prefix("search_family_name", words[0])
    else:
        first, last = words[0], words[-1]
        match = (_prefix("search_family_name", last) & _prefix("search_given_name", first)) | (
            _prefix("search_family_name", first) & _prefix("search_given_name", last)
        )
    if birth_date:
        match &= Q(birth_date=birth_date)
    found = list(
        mine.filter(match)
        .select_related("registered_practice")
        .order_by("search_family_name", "search_given_name", "birth_date")[:SEARCH_LIMIT]
    )
    return "name", [SearchResult(person=p, accessible=True) for p in found]


def _flag(found: list[Person], mine: QuerySet[Person]) -> list[SearchResult]:
    ids = set(mine.filter(pk__in=[p.pk for p in found]).values_list("pk", flat=True))
    return [SearchResult(person=p, accessible=p.pk in ids) for p in found]


def record_viewers(person_id: int) -> QuerySet[AuditEvent]:
    """Every audit event about this person, newest first, with who and where."""
    return AuditEvent.objects.filter(person_id=person_id).select_related("user", "organisation")


def person_match(text: str) -> Q | None:
    """A filter on Person for what someone typed to narrow a list they already have: an
    NHS number (spaces allowed), or the start of a surname, or of a first name and a
    surname in either order. None when nothing usable was typed."""
    digits = re.sub(r"[\s-]", "", text or "")
    if digits.isdecimal() and len(digits) >= 6:
        return Q(nhs_number=digits)
    words = [search_form(w) for w in re.split(r"[\s,]+", text or "") if search_form(w)]
    if not words:
        return None
    if len(words) == 1:
        return _prefix("search_family_name", words[0]) | _prefix("search_given_name", words[0])
    first, last = words[0], words[-1]
    return (_prefix("search_family_name", last) & _prefix("search_given_name", first)) | (
        _prefix("search_family_name", first) & _prefix("search_given_name", last)
    )
