"""The content of a personalised care and support plan (PRSB sections), how each section
is edited and checked, and how two versions differ.

A version's content is one JSON document::

    {"about_me": {"what_matters": "...", "please_call_me": "...", ...},
     "important_people": [{"name": ..., "relationship": ..., "phone": ..., "role": ...}],
     "goals": [{"id": "g1", "text": "...", "progress": "started", "note": "..."}],
     "actions": [{"id": "a1", "what": "...", "who_type": "organisation", "who": "...",
                  "by_when": "2027-01-31", "status": "to_do"}],
     "preferences": {...}, "contingency": {...}, "end_of_life": {...},
     "review": {"date": "2027-03-01"}, "agreement": {...}}

Goals and actions keep their ids from version to version, so progress can be followed.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

from joinedup.core.forms import date_field

MAX_TEXT = 2000  # characters in any one answer


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text, longtext, choice, multichoice, date, yesno
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    # Set by recording a review, not by editing the section.
    recorded_by_review: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[Field, ...]
    hint: str = ""


WHERE = (
    ("home", "At home"),
    ("clinic", "At a clinic"),
    ("phone", "By phone"),
    ("video", "By video"),
)
TIMES = (
    ("any", "Any time"),
    ("morning", "Morning"),
    ("afternoon", "Afternoon"),
    ("evening", "Evening"),
)
AGREED_HOW = (
    ("in_person", "In person"),
    ("phone", "By phone"),
    ("video", "By video"),
    ("with_carer", "With their carer or family"),
)

SECTIONS = (
    Section(
        "about_me",
        "About me",
        (
            Field("what_matters", "What matters to me", "longtext"),
            Field("please_call_me", "Please call me"),
            Field("communication_needs", "How I communicate best", "longtext"),
            Field("reasonable_adjustments", "Reasonable adjustments I need", "longtext"),
        ),
    ),
    Section(
        "preferences",
        "When, where and how I am seen",
        (
            Field("time_of_day", "Best time of day", "choice", TIMES),
            Field("where", "Where or how", "multichoice", WHERE),
            Field("language", "Language"),
            Field("interpreter", "I need an interpreter", "yesno"),
        ),
    ),
    Section(
        "contingency",
        "If things get worse",
        (
            Field("signs", "Signs that things are getting worse", "longtext"),
            Field("what_to_do", "What to do, and who to call", "longtext"),
            Field("crisis_contact", "Crisis contact (name and number)"),
        ),
    ),
    Section(
        "end_of_life",
        "Anticipatory and end-of-life wishes (optional)",
        (
            Field("preferred_place", "Where I would prefer to be cared for"),
            Field("wishes", "My wishes", "longtext"),
            Field("respect_form", "A ReSPECT form or advance decision exists", "yesno"),
        ),
        hint="Only if the person wants to talk about this.",
    ),
    Section(
        "review",
        "Review",
        (
            Field("date", "Next review date", "date", hint="For example, 15 3 2027"),
            Field("last_reviewed", "Last reviewed", "date", recorded_by_review=True),
            Field(
                "what_changed",
                "What changed at the last review",
                "longtext",
                recorded_by_review=True,
            ),
        ),
    ),
    Section(
        "agreement",
        "Agreement",
        (
            Field("agreed_on", "Date the plan was agreed with the person", "date"),
            Field("how", "How it was agreed", "choice", AGREED_HOW),
            Field(
                "consent_to_share",
                "The person consents to share this plan with their care team",
                "yesno",
            ),
        ),
    ),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}

GOAL_PROGRESS = (
    ("not_started", "Not started"),
    ("started", "Started"),
    ("some_progress", "Some progress"),
    ("achieved", "Achieved"),
    ("no_longer_wanted", "No longer wanted"),
)
ACTION_STATUS = (
    ("to_do", "To do"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
)
WHO_TYPES = (
    ("person", "The person"),
    ("carer", "Their carer"),
    ("professional", "A professional"),
    ("team", "A team"),
    ("organisation", "An organisation"),
)


def empty_content() -> dict:
    content = {s.key: {} for s in SECTIONS}
    content.update({"important_people": [], "goals": [], "actions": []})
    return content


def _text(value, label: str, field: str, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: f"Enter {label.lower()}"})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: f"{label} must be {MAX_TEXT:,} characters or fewer"})
    return text


def clean_section(key: str, data: dict, *, today: date) -> dict:
    """Form data (a QueryDict or dict of lists) for one section → its content."""
    section = SECTION_BY_KEY.get(key)
    if section is None:
        raise ValidationError(f"No plan section called {key}")
    out = {}
    for f in section.fields:
        name = f"{key}-{f.key}"
        if f.recorded_by_review:
            continue
        if f.kind in ("text", "longtext"):
            out[f.key] = _text(_one(data, name), f.label, name)
        elif f.kind == "choice":
            value = _one(data, name)
            if value and value not in dict(f.choices):
                raise ValidationError({name: f"Choose one of the options for {f.label.lower()}"})
            out[f.key] = value
        elif f.kind == "multichoice":
            values = _many(data, name)
            if any(v not in dict(f.choices) for v in values):
                raise ValidationError({name: f"Choose from the options for {f.label.lower()}"})
            out[f.key] = values
        elif f.kind == "yesno":
            value = _one(data, name)
            if value not in ("", "yes", "no"):
                raise ValidationError({name: f"Answer yes or no: {f.label.lower()}"})
            out[f.key] = value
        elif f.kind == "date":
            value = _date(data, name, f.label)
            if value and key == "review" and date.fromisoformat(value) <= today:
                raise ValidationError({name: "The next review date must be in the future"})
            if value and key == "agreement" and date.fromisoformat(value) > today:
                raise ValidationError({name: "The date agreed cannot be in the future"})
            out[f.key] = value
    return out


def clean_goal(data: dict) -> dict:
    progress = _one(data, "progress") or "not_started"
    if progress not in dict(GOAL_PROGRESS):
        raise ValidationError({"progress": "Choose how the goal is going"})
    return {
        "text": _text(
            _one(data, "text"), "The goal, in the person's own words", "text", required=True
        ),
        "progress": progress,
        "note": _text(_one(data, "note"), "Progress note", "note"),
    }


def clean_action(data: dict, *, today: date, kept_by_when: str = "") -> dict:
    """An action from the form. A date already past is refused unless it is the one the
    action had (an action that is late stays late; a new deadline cannot be in the past)."""
    who_type = _one(data, "who_type")
    if who_type not in dict(WHO_TYPES):
        raise ValidationError({"who_type": "Choose who will do it"})
    status = _one(data, "status") or "to_do"
    if status not in dict(ACTION_STATUS):
        raise ValidationError({"status": "Choose the status"})
    by_when = _date(data, "by_when", "By when")
    if by_when and by_when != kept_by_when and date.fromisoformat(by_when) < today:
        raise ValidationError({"by_when": "By when must be today or in the future"})
    return {
        "what": _text(_one(data, "what"), "What will be done", "what", required=True),
        "who_type": who_type,
        "who": _text(_one(data, "who"), "Who", "who", required=who_type != "person"),
        "by_when": by_when,
        "status": status,
    }


def _date(data, name: str, label: str) -> str:
    """An NHS.UK date input → ISO text, or ''."""
    value = date_field(data, name, label)
    return value.isoformat() if value else ""


def _one(data, name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def _many(data, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(name)]
    value = data.get(name, [])
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def differences(old: dict, new: dict) -> list[dict]:
    """What changed between two versions' content, in reading order: one row per changed
    answer, goal or action (``section``, ``item``, ``before``, ``after``)."""
    rows = []
    for section in SECTIONS:
        before, after = old.get(section.key) or {}, new.get(section.key) or {}
        for f in section.fields:
            a, b = _shown(before.get(f.key), f), _shown(after.get(f.key), f)
            if a != b:
                rows.append({"section": section.title, "item": f.label, "before": a, "after": b})
    for key, title, describe in (
        ("goals", "Goals", _goal_text),
        ("actions", "Actions", _action_text),
        ("important_people", "Important people", _person_text),
    ):
        before = {item.get("id", str(i)): item for i, item in enumerate(old.get(key) or [])}
        after = {item.get("id", str(i)): item for i, item in enumerate(new.get(key) or [])}
        for item_id in list(before) + [i for i in after if i not in before]:
            a = describe(before[item_id]) if item_id in before else ""
            b = describe(after[item_id]) if item_id in after else ""
            if a != b:
                rows.append({"section": title, "item": "", "before": a, "after": b})
    return rows


def shown_sections(content: dict) -> dict[str, dict]:
    """Each section's answers as (label, text) rows for reading, by section key."""
    out = {}
    for section in SECTIONS:
        answers = content.get(section.key) or {}
        rows = []
        for f in section.fields:
            text = _shown(answers.get(f.key), f)
            rows.append((f.label, text or "Not recorded"))
        out[section.key] = {"title": section.title, "rows": rows}
    return out


def _shown(value, f: Field) -> str:
    labels = dict(f.choices)
    if isinstance(value, list):
        return ", ".join(labels.get(v, v) for v in value)
    if f.kind == "yesno":
        return {"yes": "Yes", "no": "No"}.get(value or "", "")
    if f.kind == "date" and value:
        return _written(value)
    return labels.get(value, value) if value else ""


def _written(iso: str) -> str:
    """``"2027-03-05"`` → ``"5 March 2027"``, as the pages write dates."""
    d = date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


def _goal_text(goal: dict) -> str:
    progress = dict(GOAL_PROGRESS).get(goal.get("progress", ""), "")
    note = f" – {goal['note']}" if goal.get("note") else ""
    return f"{goal.get('text', '')} ({progress}){note}"


def _action_text(action: dict) -> str:
    status = dict(ACTION_STATUS).get(action.get("status", ""), "")
    who = action.get("who") or dict(WHO_TYPES).get(action.get("who_type", ""), "")
    by_when = f", by {_written(action['by_when'])}" if action.get("by_when") else ""
    return f"{action.get('what', '')} – {who}{by_when} ({status})"


def _person_text(person: dict) -> str:
    parts = [person.get("name", ""), person.get("relationship", ""), person.get("phone", "")]
    return ", ".join(p for p in parts if p)
