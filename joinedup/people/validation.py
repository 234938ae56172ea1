"""Checks on a person's identifying details, each naming the field at fault."""

import re
import unicodedata
from datetime import date

import nhs_number
from django.core.exceptions import ValidationError


def clean_nhs_number(value: str | None, field: str = "nhs_number") -> str | None:
    """Return the 10-digit NHS number, or None when blank.

    Spaces and hyphens are allowed (``943 476 5919``); anything else, a wrong length
    or a failed Modulus 11 check digit raises ``ValidationError`` on ``field``.

    >>> clean_nhs_number("943 476 5919")
    '9434765919'
    """
    if value is None or not str(value).strip():
        return None
    compact = re.sub(r"[\s-]", "", str(value))
    if not compact.isdecimal():
        raise ValidationError({field: "NHS number must contain only digits"})
    if len(compact) != 10:
        raise ValidationError({field: f"NHS number must be 10 digits (this has {len(compact)})"})
    if not nhs_number.is_valid(compact):
        raise ValidationError({field: "NHS number is not valid: its check digit is wrong"})
    return compact


def clean_birth_date(value: date | None, *, today: date, field: str = "birth_date") -> date:
    if value is None:
        raise ValidationError({field: "Enter a date of birth"})
    if value > today:
        raise ValidationError({field: "Date of birth must be today or in the past"})
    if value.year < today.year - 125:
        raise ValidationError({field: "Date of birth is more than 125 years ago"})
    return value


def clean_death_date(value: date | None, *, birth_date: date, today: date) -> date | None:
    if value is None:
        return None
    if value > today:
        raise ValidationError({"date_of_death": "Date of death must be today or in the past"})
    if value < birth_date:
        raise ValidationError({"date_of_death": "Date of death is before the date of birth"})
    return value


def search_form(name: str) -> str:
    """Lower-case, accent-free, punctuation-free name for matching: "O'Brien" → "obrien"."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", ascii_only.lower())
