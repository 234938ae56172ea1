"""Events and written feedback: recording them, suggesting a theme for each comment (the
offline classifier in engagement/themes.py), a person confirming or correcting it, and
redacting personal details before anything is published."""

import threading
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from joinedup.core.actions import record_audit
from joinedup.core.csv_input import CsvRows, refused_as
from joinedup.core.forms import date_field, error_messages, first_errors, organisation_choice

from .. import themes
from ..models import (
    AgeBand,
    Channel,
    EngagementEvent,
    EthnicGroup,
    Feedback,
    PanelSex,
    Theme,
    YesNo,
)

MAX_FEEDBACK_FILE_ROWS = 20_000
_model_lock = threading.Lock()
_model: dict = {}


def ensure_themes() -> None:
    """The Long Term Plan themes exist (a data migration seeds them; tests that flush the
    database call this)."""
    for order, (slug, name) in enumerate(themes.THEMES.items(), start=1):
        Theme.objects.get_or_create(
            slug=slug, defaults={"name": name, "long_term_plan": slug != "other", "order": order}
        )


def theme_model() -> themes.ThemeModel:
    """The classifier, trained on the shipped examples and every confirmed theme; retrained
    (in about a second) when confirmations have changed since it was last trained."""
    confirmed = Feedback.objects.exclude(confirmed_at=None)
    version = (confirmed.count(), confirmed.aggregate(m=Max("confirmed_at"))["m"])
    with _model_lock:
        if _model.get("version") != version:
            pairs = list(confirmed.values_list("text", "theme__slug"))
            _model["model"] = themes.train(pairs)
            _model["version"] = version
        return _model["model"]


def _clean_text(value, limit: int) -> str:
    return str(value or "").replace("\x00", "").strip()[:limit]


@transaction.atomic
def add_event(*, by, data) -> EngagementEvent:
    errors = {}
    title = _clean_text(data.get("title"), 201)
    organiser = _clean_text(data.get("organiser"), 201)
    if not title:
        errors["title"] = "Enter the event's name"
    elif len(title) > 200:
        errors["title"] = "The name must be 200 characters or fewer"
    if not organiser:
        errors["organiser"] = "Enter who ran it, such as Healthwatch"
    try:
        held_on = date_field(data, "held_on", "The date")
        if held_on is None:
            errors["held_on"] = "Enter the date of the event"
        elif held_on > timezone.localdate():
            errors["held_on"] = "The date must be today or in the past"
    except ValidationError as exc:
        errors.update(error_messages(exc))
    try:
        people = int(str(data.get("people", "")).strip())
        if people < 0:
            raise ValueError
    except ValueError:
        errors["people"] = "Enter how many people took part, a whole number"
    organisation = organisation_choice(data, "organisation", errors)
    if errors:
        raise ValidationError(errors)
    event = EngagementEvent.objects.create(
        title=title,
        organiser=organiser[:200],
        organisation=organisation,
        held_on=held_on,
        place=_clean_text(data.get("place"), 200),
        people=people,
        notes=_clean_text(data.get("notes"), 10000),
        created_at=timezone.now(),
        created_by=by,
    )
    record_audit(
        by=by,
        action="engagement.event.add",
        object_type="event",
        object_id=event.pk,
    )
    return event


def _optional_choice(value, choices, label: str, errors: list) -> str:
    value = str(value or "").strip()
    if value and value not in choices.values:
        errors.append(f"{label} {value[:20]!r} is not one of {', '.join(choices.values)}")
    return value


def _feedback(data, *, event=None, where: str = "") -> tuple[Feedback | None, list[str]]:
    """A Feedback (unsaved) from form or CSV values, or the problems with them."""
    problems = []
    text = str(data.get("text") or "").replace("\x00", "").strip()
    if not text:
        problems.append("Enter the comment")
    elif len(text) > themes.MAX_TEXT:
        problems.append(f"The comment must be {themes.MAX_TEXT:,} characters or fewer")
    channel = str(data.get("channel") or "").strip() or (Channel.EVENT if event else "")
    if channel not in Channel.values:
        problems.append(f"Choose how it was given (one of {', '.join(Channel.values)})")
    received = data.get("received_on")
    if isinstance(received, date):
        received_on = received
    else:
        try:
            received_on = date.fromisoformat(str(received or "").strip())
        except ValueError:
            received_on = None
            problems.append("received_on must be a date like 2026-03-15")
    if received_on and received_on > timezone.localdate():
        problems.append("received_on is in the future")
    values = {
        "age_band": _optional_choice(data.get("age_band"), AgeBand, "age_band", problems),
        "sex": _optional_choice(data.get("sex"), PanelSex, "sex", problems),
        "ethnic_group": _optional_choice(
            data.get("ethnic_group"), EthnicGroup, "ethnic_group", problems
        ),
        "disability": _optional_choice(data.get("disability"), YesNo, "disability", problems),
    }
    consent = str(data.get("consent_to_publish") or "").strip().lower()
    if consent not in ("", "yes", "no", "true", "false", "1", "0"):
        problems.append("consent_to_publish must be yes or no")
    if problems:
        return None, [f"{where}{p}" for p in problems]
    return Feedback(
        text=text,
        channel=channel,
        event=event,
        received_on=received_on,
        consent_to_publish=consent in ("yes", "true", "1"),
        personal_details=themes.personal_details(text),
        not_english=themes.probably_not_english(text),
        created_at=timezone.now(),
        **values,
    ), []


def _suggest(rows: list[Feedback]) -> None:
    by_slug = {t.slug: t for t in Theme.objects.filter(slug__in=themes.THEMES)}
    # A comment probably not in English gets no suggestion (it is flagged for translation).
    for row, suggestion in zip(
        rows, theme_model().suggestions([r.text for r in rows]), strict=True
    ):
        row.suggested_theme = by_slug.get(suggestion.theme) if suggestion.theme else None
        row.confidence = round(suggestion.confidence, 3) if suggestion.theme else None
        row.not_english = suggestion.not_english


@transaction.atomic
def add_feedback(*, by, data, event: EngagementEvent | None = None) -> Feedback:
    """One comment, from the staff form or the public one (``by`` None). A theme is
    suggested at once; a person confirms it later."""
    feedback, problems = _feedback(
        {"received_on": timezone.localdate(), **{k: data.get(k) for k in data}}, event=event
    )
    if problems:
        fields = {"Enter the comment": "text", "The comment must": "text", "Choose how": "channel"}
        errors = {}
        for p in problems:
            field = next((f for start, f in fields.items() if p.startswith(start)), None)
            field = field or p.split(" ", 1)[0]
            errors.setdefault(field, p)
        raise ValidationError(errors)
    _suggest([feedback])
    feedback.save()
    record_audit(
        by=by,
        action="engagement.feedback.add",
        object_type="feedback",
        object_id=feedback.pk,
    )
    return feedback


FEEDBACK_COLUMNS = ("text", "channel", "received_on")


@refused_as(ValidationError)
@transaction.atomic
def import_feedback(*, by, text: str, name: str = "feedback", event=None) -> int:
    """Comments from a CSV with ``text, channel, received_on`` and, optionally,
    ``age_band, sex, ethnic_group, disability, consent_to_publish``. All rows or none;
    every problem named with its row."""
    reader = CsvRows(text, name)
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in FEEDBACK_COLUMNS if c not in columns]
    if missing:
        raise ValidationError(f"{name}: no column for {', '.join(missing)}")
    reader.fieldnames = columns
    rows, errors = [], []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_FEEDBACK_FILE_ROWS:
            raise ValidationError(f"{name}: more than {MAX_FEEDBACK_FILE_ROWS:,} rows")
        feedback, problems = _feedback(row, event=event, where=f"{name} row {number}: ")
        if problems:
            errors.extend(problems)
        else:
            rows.append(feedback)
    if errors:
        raise ValidationError(first_errors(errors))
    if not rows:
        raise ValidationError(f"{name}: no comments in the file")
    _suggest(rows)
    Feedback.objects.bulk_create(rows, batch_size=1000)
    record_audit(
        by=by,
        action="engagement.feedback.import",
        object_type="file",
        object_id=name[:60],
        detail={"comments": len(rows)},
    )
    return len(rows)


@transaction.atomic
def confirm_theme(*, by, feedback: Feedback, theme: str, published_text: str = "") -> None:
    """A person confirms the suggested theme or chooses another; where the comment holds
    personal details and may be published, they give the redacted text to publish."""
    errors = {}
    chosen = Theme.objects.filter(slug=str(theme)).first()
    if chosen is None:
        errors["theme"] = "Choose a theme"
    published_text = str(published_text or "").replace("\x00", "").strip()
    if feedback.personal_details and feedback.consent_to_publish:
        if not published_text:
            errors["published_text"] = (
                "This comment holds " + ", ".join(feedback.personal_details) + ": enter it "
                "with those taken out, as it may be published"
            )
        elif themes.personal_details(published_text):
            errors["published_text"] = "The text to publish still holds " + ", ".join(
                themes.personal_details(published_text)
            )
    if len(published_text) > themes.MAX_TEXT:
        errors["published_text"] = f"Must be {themes.MAX_TEXT:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    feedback.theme, feedback.confirmed_by, feedback.confirmed_at = chosen, by, timezone.now()
    feedback.published_text = published_text
    feedback.save()
    record_audit(
        by=by,
        action="engagement.feedback.theme",
        object_type="feedback",
        object_id=feedback.pk,
        detail={"theme": chosen.slug, "agreed": feedback.suggested_theme_id == chosen.pk},
    )


@transaction.atomic
def add_theme(*, by, name: str) -> Theme:
    """A custom theme (beyond the Long Term Plan areas), such as "Transport to appointments"."""
    name = " ".join(str(name or "").split())
    slug = slugify(name)[:40]
    if not name or not slug:
        raise ValidationError({"theme_name": "Enter the theme's name"})
    if len(name) > 200:
        raise ValidationError({"theme_name": "The name must be 200 characters or fewer"})
    if Theme.objects.filter(slug=slug).exists():
        raise ValidationError({"theme_name": f"There is already a theme called {name}"})
    theme = Theme.objects.create(slug=slug, name=name, long_term_plan=False)
    record_audit(
        by=by,
        action="engagement.theme.add",
        object_type="theme",
        object_id=theme.pk,
    )
    return theme
