"""Checking typed text, for the actions on organisations and staff."""

import unicodedata

from django.core.exceptions import ValidationError

# Zero-width joiners and non-joiners belong in some names; other invisible format
# characters (e.g. right-to-left overrides) only disguise text.
_ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}


def _text(value, field: str, label: str, limit: int, *, required: str = "") -> str:
    """Typed text, trimmed; a ValidationError on ``field`` if it is missing (when
    ``required`` says so), longer than ``limit`` or holds control characters."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValidationError({field: required})
        return ""
    if len(text) > limit:
        raise ValidationError({field: f"{label} must be {limit} characters or fewer"})
    if any(
        unicodedata.category(c) in ("Cc", "Cf") and c not in _ALLOWED_FORMAT_CHARACTERS
        for c in text
    ):
        raise ValidationError({field: f"{label} cannot contain control characters"})
    return text
