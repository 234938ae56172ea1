from datetime import date

from django import forms
from django.core.exceptions import ValidationError


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter your username"})
    password = forms.CharField(
        max_length=200, strip=False, error_messages={"required": "Enter your password"}
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "invalid": "The code must be 6 digits",
        },
    )


def date_part(data, prefix: str, part: str) -> str:
    """One box of an NHS.UK date input: the component names them ``prefix[day]``; forms
    built by hand (and older links) say ``prefix-day``."""
    value = data.get(f"{prefix}[{part}]")
    if value is None:
        value = data.get(f"{prefix}-{part}")
    return str(value or "").strip()


def parse_date_parts(data, prefix: str, label: str) -> tuple[date | None, str | None]:
    """Read an NHS.UK date input (``prefix-day``, ``-month``, ``-year``).

    Returns (date or None if all blank, error message or None).
    """
    parts = [date_part(data, prefix, p) for p in ("day", "month", "year")]
    if not any(parts):
        return None, None
    if not all(parts):
        return None, f"{label} must include a day, month and year"
    if not all(p.isdecimal() for p in parts) or len(parts[2]) != 4:
        return None, f"{label} must be a real date, for example 15 3 1984"
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0])), None
    except ValueError:
        return None, f"{label} must be a real date, for example 15 3 1984"


def date_field(data, prefix: str, label: str) -> date | None:
    """An NHS.UK date input's date, None when left blank, or a ValidationError on the
    field (``prefix``) saying what is wrong."""
    value, error = parse_date_parts(data, prefix, label)
    if error:
        raise ValidationError({prefix: error})
    return value


def error_messages(exc: ValidationError, field: str = "form") -> dict[str, str]:
    """A ValidationError as {field: first message}, for an error summary; an error on
    no field is put on ``field``."""
    if hasattr(exc, "error_dict"):
        return {k: v[0].messages[0] for k, v in exc.error_dict.items()}
    return {field: exc.messages[0]}


def first_errors(errors: list[str], limit: int = 20) -> list[str]:
    """The first ``limit`` errors of a file, and how many more there are."""
    more = len(errors) - limit
    return errors[:limit] + ([f"… and {more} more"] if more > 0 else [])


MAX_UPLOAD = 10 * 1024 * 1024


def uploaded_text(upload, field: str, what: str) -> str:
    """An uploaded CSV file as text, or a ValidationError on ``field`` saying what is
    wrong with it (none chosen, over 10 MB, not UTF-8)."""
    if upload is None:
        raise ValidationError({field: f"Choose a CSV file of {what}"})
    if upload.size > MAX_UPLOAD:
        raise ValidationError({field: f"{upload.name}: larger than 10 MB"})
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {field: f"{upload.name}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"}
        ) from None


def organisation_choice(data, name: str, errors: dict, *, required: bool = False):
    """The organisation a form's select named (its id), or None; an error is put in
    ``errors`` when it is missing but required, or not an organisation."""
    from .models import Organisation

    value = str(data.get(name, "") or "").strip()
    if not value:
        if required:
            errors[name] = "Choose an organisation"
        return None
    organisation = Organisation.objects.filter(pk=value).first() if value.isdecimal() else None
    if organisation is None:
        errors[name] = "Choose an organisation from the list"
    return organisation


def text_field(data, name: str, errors: dict, *, limit: int, missing: str = "", label: str = ""):
    """Text typed into a form, trimmed and without NUL characters. Puts an error on
    ``errors[name]`` when it is missing (``missing`` says what to enter; empty when the
    field is optional) or longer than ``limit`` (naming ``label`` when given)."""
    value = str(data.get(name, "") or "").replace("\x00", "").strip()
    if missing and not value:
        errors[name] = missing
    elif len(value) > limit:
        errors[name] = f"{label or 'It'} must be {limit:,} characters or fewer"
    return value
