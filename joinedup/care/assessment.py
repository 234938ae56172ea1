"""The holistic assessment: a versioned questionnaire over a person's physical, emotional and
social needs, stored as a FHIR R4 Questionnaire, answered as a QuestionnaireResponse, and
pre-filled from what is already known so the person is asked only what has changed.

The questions of the *current* version are defined here (``DOMAINS``); every version in
use is stored whole in the database (``care.Questionnaire``), and an assessment is always
shown with the questions of the version it was started on (:func:`domains_from_resource`).

Example::

    resource = questionnaire_resource()          # FHIR Questionnaire (dict)
    domains = domains_from_resource(resource)    # back to Domain/Question
    known = known_answers(person)                # {"communication.language": Known(...)}
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError

from .plans import MAX_TEXT

VERSION = "1.0.0"
NAME = "HolisticAssessment"
TITLE = "Holistic assessment"
MAX_FALLS = 365


def canonical(kind: str, name: str) -> str:
    """A canonical URL under the partnership's FHIR base (``JOINEDUP_FHIR_CANONICAL``)."""
    return f"{settings.FHIR_CANONICAL_BASE}/{kind}/{name}"


def sensitive_extension() -> str:
    return canonical("StructureDefinition", "sensitive-section")


@dataclass(frozen=True)
class Question:
    link_id: str
    text: str
    type: str  # string, text, boolean, integer, choice (FHIR item types)
    options: tuple[tuple[str, str], ...] = ()
    # The known fact that pre-fills it (see ``known_answers``), if any.
    known: str = ""


@dataclass(frozen=True)
class Domain:
    link_id: str
    title: str
    questions: tuple[Question, ...]
    # Hidden from roles with no need (e.g. voluntary-sector workers) unless the person
    # consents: mental health and safeguarding.
    sensitive: bool = False


YES_NO = (("yes", "Yes"), ("no", "No"))

DOMAINS = (
    Domain(
        "physical",
        "Physical health and medicines",
        (
            Question("physical.conditions", "Long-term conditions", "text", known="conditions"),
            Question("physical.concerns", "What worries you most about your health?", "text"),
            Question(
                "physical.medicines",
                "How are you managing your medicines?",
                "choice",
                (
                    ("managing", "Managing well"),
                    ("with_help", "Managing with help"),
                    ("struggling", "Struggling"),
                    ("none", "Not taking any"),
                ),
            ),
            Question("physical.medicines_review", "Would you like a medicines review?", "boolean"),
        ),
    ),
    Domain(
        "wellbeing",
        "Mental and emotional wellbeing",
        (
            Question(
                "wellbeing.conditions",
                "Mental health conditions",
                "text",
                known="mental_health_conditions",
            ),
            Question(
                "wellbeing.mood",
                "How has your mood been over the last two weeks?",
                "choice",
                (("good", "Mostly good"), ("mixed", "Up and down"), ("low", "Mostly low")),
            ),
            Question("wellbeing.detail", "Anything you want to tell us about it", "text"),
        ),
        sensitive=True,
    ),
    Domain(
        "memory",
        "Memory",
        (
            Question(
                "memory.concerns",
                "Are you, or people close to you, worried about your memory?",
                "boolean",
            ),
            Question("memory.detail", "What have you noticed?", "text"),
        ),
    ),
    Domain(
        "mobility",
        "Mobility and falls",
        (
            Question(
                "mobility.frailty", "Frailty (electronic Frailty Index)", "string", known="frailty"
            ),
            Question("mobility.falls", "How many falls in the last 12 months?", "integer"),
            Question(
                "mobility.walking",
                "How do you get about indoors?",
                "choice",
                (
                    ("independent", "On my own"),
                    ("with_aid", "With a stick, frame or wheelchair"),
                    ("with_help", "With help from someone"),
                    ("unable", "I cannot get about"),
                ),
            ),
        ),
    ),
    Domain(
        "daily_living",
        "Daily living",
        (
            Question(
                "daily_living.help",
                "Do you need help with washing, dressing, meals or shopping?",
                "choice",
                (
                    ("independent", "No, I manage"),
                    ("some_help", "Some help"),
                    ("lots_of_help", "A lot of help"),
                ),
            ),
            Question("daily_living.detail", "Who helps, and with what?", "text"),
        ),
    ),
    Domain(
        "housing",
        "Housing",
        (
            Question("housing.address", "Address", "string", known="address"),
            Question(
                "housing.suitable",
                "Is your home right for your needs?",
                "choice",
                (
                    ("yes", "Yes"),
                    ("some_problems", "Some problems (stairs, damp, cold, repairs)"),
                    ("no", "No"),
                ),
            ),
            Question("housing.detail", "What would help at home?", "text"),
        ),
    ),
    Domain(
        "money",
        "Money, benefits and work",
        (
            Question("money.worries", "Do you have money worries?", "boolean"),
            Question(
                "money.work",
                "Work",
                "choice",
                (
                    ("working", "Working"),
                    ("looking", "Looking for work"),
                    ("retired", "Retired"),
                    ("unable", "Unable to work"),
                    ("caring", "Caring full time"),
                ),
            ),
            Question("money.benefits_advice", "Would you like advice about benefits?", "boolean"),
        ),
    ),
    Domain(
        "loneliness",
        "Loneliness and social contact",
        (
            Question(
                "loneliness.how_often",
                "How often do you feel lonely?",
                "choice",
                (
                    ("often", "Often or always"),
                    ("some_of_the_time", "Some of the time"),
                    ("occasionally", "Occasionally"),
                    ("hardly_ever", "Hardly ever"),
                    ("never", "Never"),
                ),
            ),
            Question("loneliness.detail", "Who do you see or talk to in a usual week?", "text"),
        ),
    ),
    Domain(
        "caring",
        "Caring role and the carer's own needs",
        (
            Question("caring.carer", "Who looks after you (your carer)?", "string", known="carer"),
            Question("caring.is_carer", "Do you look after someone else?", "boolean"),
            Question("caring.carer_needs", "What does the carer need for themselves?", "text"),
            Question("caring.carer_assessment", "Offer a carer's assessment", "boolean"),
        ),
    ),
    Domain(
        "communication",
        "Communication",
        (
            Question("communication.language", "Language", "string", known="language"),
            Question(
                "communication.interpreter",
                "Needs an interpreter",
                "boolean",
                known="interpreter",
            ),
            Question(
                "communication.needs",
                "Communication needs",
                "text",
                known="communication_needs",
            ),
            Question("communication.phone", "Best phone number", "string", known="phone"),
        ),
    ),
    Domain(
        "safety",
        "Feeling safe",
        (
            Question("safety.feels_safe", "Do you feel safe where you live?", "boolean"),
            Question("safety.detail", "Anything you want to tell us about it", "text"),
        ),
        sensitive=True,
    ),
    Domain(
        "what_matters",
        "What matters to me",
        (Question("what_matters.text", "What matters to me", "text", known="what_matters"),),
    ),
)


# ---------------------------------------------------------------------------------------
# FHIR Questionnaire, both ways


def _code_system() -> str:
    return canonical("CodeSystem", "holistic-assessment-answers")


def questionnaire_resource(domains=DOMAINS, version: str = VERSION) -> dict:
    """The FHIR R4 Questionnaire of these domains (the current version by default)."""

    def question(q: Question) -> dict:
        item = {"linkId": q.link_id, "text": q.text, "type": q.type}
        if q.options:
            item["answerOption"] = [
                {"valueCoding": {"system": _code_system(), "code": c, "display": d}}
                for c, d in q.options
            ]
        if q.type in ("string", "text"):
            item["maxLength"] = MAX_TEXT
        return item

    def group(d: Domain) -> dict:
        item = {
            "linkId": d.link_id,
            "text": d.title,
            "type": "group",
            "item": [question(q) for q in d.questions],
        }
        if d.sensitive:
            item["extension"] = [{"url": sensitive_extension(), "valueBoolean": True}]
        return item

    return {
        "resourceType": "Questionnaire",
        "url": canonical("Questionnaire", "holistic-assessment"),
        "version": version,
        "name": NAME,
        "title": TITLE,
        "status": "active",
        "subjectType": ["Patient"],
        "item": [group(d) for d in domains],
    }


def domains_from_resource(resource: dict) -> tuple[Domain, ...]:
    """The domains and questions of a stored Questionnaire (any version)."""
    domains = []
    for g in resource.get("item", []):
        sensitive = any(
            e.get("url") == sensitive_extension() and e.get("valueBoolean")
            for e in g.get("extension", [])
        )
        questions = tuple(
            Question(
                link_id=q["linkId"],
                text=q["text"],
                type=q["type"],
                options=tuple(
                    (o["valueCoding"]["code"], o["valueCoding"]["display"])
                    for o in q.get("answerOption", [])
                ),
                known=_KNOWN_BY_LINK.get(q["linkId"], ""),
            )
            for q in g.get("item", [])
        )
        domains.append(Domain(g["linkId"], g["text"], questions, sensitive))
    return tuple(domains)


_KNOWN_BY_LINK = {q.link_id: q.known for d in DOMAINS for q in d.questions if q.known}


# ---------------------------------------------------------------------------------------
# A place's own version: questions taken out, domains added ("assessment" in its settings)

QUESTION_TYPES = ("string", "text", "boolean", "integer", "choice")
LINK_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?")


def clean_changes(value) -> dict:
    """A place's changes to the questionnaire: ``{"remove_questions": [link ids],
    "add_domains": [{"link_id", "title", "sensitive", "questions": [{"link_id", "text",
    "type", "options": [[code, label], ...]}]}]}``; ValueError says what is wrong."""
    if not isinstance(value, dict) or set(value) - {"remove_questions", "add_domains"}:
        raise ValueError("give remove_questions and add_domains")
    known = {q.link_id for d in DOMAINS for q in d.questions} | {d.link_id for d in DOMAINS}
    removed = value.get("remove_questions", [])
    if not isinstance(removed, list) or any(r not in known for r in removed):
        unknown = [r for r in removed if r not in known] if isinstance(removed, list) else []
        raise ValueError(f"no question {', '.join(map(str, unknown)) or 'list'} to remove")
    domains = []
    seen = set(known)
    for d in value.get("add_domains", []):
        if not isinstance(d, dict) or not LINK_ID.fullmatch(str(d.get("link_id", ""))):
            raise ValueError("each added domain needs a link_id of lower-case letters")
        if d["link_id"] in seen or not str(d.get("title", "")).strip():
            raise ValueError(f"domain {d['link_id']}: a new link_id and a title are needed")
        seen.add(d["link_id"])
        questions = []
        for q in d.get("questions") or []:
            link = str(q.get("link_id", "")) if isinstance(q, dict) else ""
            if not LINK_ID.fullmatch(link) or link in seen:
                raise ValueError(f"domain {d['link_id']}: question link_id {link!r} is not new")
            if q.get("type") not in QUESTION_TYPES or not str(q.get("text", "")).strip():
                raise ValueError(
                    f"question {link}: a text and a type ({', '.join(QUESTION_TYPES)}) are needed"
                )
            options = [[str(c), str(label)] for c, label in q.get("options") or []]
            if (q["type"] == "choice") != bool(options):
                raise ValueError(f"question {link}: a choice, and only a choice, has options")
            seen.add(link)
            questions.append(
                {
                    "link_id": link,
                    "text": str(q["text"])[:300],
                    "type": q["type"],
                    "options": options,
                }
            )
        if not questions:
            raise ValueError(f"domain {d['link_id']}: no questions")
        domains.append(
            {
                "link_id": d["link_id"],
                "title": str(d["title"])[:200],
                "sensitive": bool(d.get("sensitive", False)),
                "questions": questions,
            }
        )
    return {"remove_questions": [r for r in removed], "add_domains": domains}


def place_domains(changes: dict | None) -> tuple[tuple[Domain, ...], str]:
    """The domains a place asks, and the questionnaire's version: the current one when the
    place changes nothing, else the current version with a short digest of the changes (the
    same changes give the same version, whichever place makes them)."""
    changes = changes or {}
    removed = set(changes.get("remove_questions", []))
    added = changes.get("add_domains", [])
    if not removed and not added:
        return DOMAINS, VERSION
    domains = [
        Domain(d.link_id, d.title, tuple(q for q in d.questions if q.link_id not in removed),
               d.sensitive)
        for d in DOMAINS
        if d.link_id not in removed
    ]  # fmt: skip
    domains = [d for d in domains if d.questions]
    for d in added:
        domains.append(
            Domain(
                d["link_id"],
                d["title"],
                tuple(
                    Question(q["link_id"], q["text"], q["type"], tuple(map(tuple, q["options"])))
                    for q in d["questions"]
                ),
                d.get("sensitive", False),
            )
        )
    digest = hashlib.sha256(json.dumps(changes, sort_keys=True).encode()).hexdigest()[:8]
    return tuple(domains), f"{VERSION}-{digest}"


def describe_changes(changes: dict) -> str:
    removed, added = changes.get("remove_questions", []), changes.get("add_domains", [])
    if not removed and not added:
        return "The standard questions"
    parts = []
    if added:
        parts.append("adds " + ", ".join(d["title"] for d in added))
    if removed:
        parts.append(f"leaves out {len(removed)} question{'s' if len(removed) != 1 else ''}")
    return "The standard questions; " + " and ".join(parts)


def response_items(domains, answers: dict) -> list[dict]:
    """QuestionnaireResponse.item for these answers (only questions that have one)."""
    items = []
    for d in domains:
        inner = []
        for q in d.questions:
            value = answers.get(q.link_id)
            if value in (None, ""):
                continue
            inner.append({"linkId": q.link_id, "text": q.text, "answer": [_answer(q, value)]})
        if inner:
            items.append({"linkId": d.link_id, "text": d.title, "item": inner})
    return items


def _answer(q: Question, value) -> dict:
    if q.type == "boolean":
        return {"valueBoolean": value == "yes"}
    if q.type == "integer":
        return {"valueInteger": int(value)}
    if q.type == "choice":
        return {
            "valueCoding": {
                "system": _code_system(),
                "code": value,
                "display": dict(q.options).get(value, value),
            }
        }
    return {"valueString": str(value)}


# ---------------------------------------------------------------------------------------
# Answers: checking what was typed, and showing it


def clean_answer(q: Question, raw) -> str:
    """The stored form of one answer (always a string; "" when not answered), or a
    ValidationError that says what is wrong in words the assessor understands."""
    value = str(raw or "").strip()
    if value == "":
        return ""
    if q.type in ("string", "text"):
        if len(value) > MAX_TEXT:
            raise ValidationError(f"{q.text} must be {MAX_TEXT} characters or fewer")
        return value
    if q.type == "boolean":
        if value not in ("yes", "no"):
            raise ValidationError(f"Choose yes or no for “{q.text.rstrip('?')}”")
        return value
    if q.type == "integer":
        if not value.isdecimal() or int(value) > MAX_FALLS:
            if q.text.startswith("How many ") and q.text.endswith("?"):
                asked = "how many " + q.text[len("How many ") : -1]
                raise ValidationError(
                    f"Enter {asked} as a whole number from 0 to {MAX_FALLS}, for example 2"
                )
            raise ValidationError(
                f"Enter a whole number from 0 to {MAX_FALLS} for “{q.text.rstrip('?')}”"
            )
        return str(int(value))
    if q.type == "choice":
        if value not in dict(q.options):
            raise ValidationError(f"Choose one of the answers for “{q.text.rstrip('?')}”")
        return value
    raise ValidationError(f"Unknown question type {q.type}")


def shown(q: Question, value: str) -> str:
    """An answer in words."""
    if value in (None, ""):
        return ""
    if q.type == "boolean":
        return "Yes" if value == "yes" else "No"
    if q.type == "choice":
        return dict(q.options).get(value, value)
    return value


# ---------------------------------------------------------------------------------------
# Tell your story once: what is already known


@dataclass(frozen=True)
class Known:
    value: str
    source: str
    date: date


def _day(moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def known_answers(person, last=None, plan_content: dict | None = None, plan_date=None) -> dict:
    """Every answer that can be pre-filled for this person, with where it came from and
    when: the last completed assessment, then anything fresher from the GP coded record
    (through the population run), the registered record, other agencies' records and the
    care plan. Where two sources know the same thing, the most recent wins.

    ``last`` is the previous completed assessment (a ``care.Assessment``) or None.
    Returns ``{link_id: Known}``.
    """
    candidates: dict[str, list[Known]] = {}

    def offer(link_id: str, value, source: str, when) -> None:
        value = "" if value is None else str(value).strip()
        if value and when is not None:
            candidates.setdefault(link_id, []).append(Known(value, source, _day(when)))

    if last is not None:
        source = f"Assessment of {last.completed_at:%-d %B %Y}"
        if last.organisation_id:
            source += f" ({last.organisation.name})"
        for link_id, value in (last.answers or {}).items():
            offer(link_id, value, source, last.completed_at)

    for link_id, value, source, when in _facts(person, plan_content, plan_date):
        offer(link_id, value, source, when)

    return {link_id: max(options, key=lambda k: k.date) for link_id, options in candidates.items()}


def _facts(person, plan_content, plan_date):
    """(link_id, value, source, when) for every fact known outside assessments."""
    from joinedup.identity.models import SourceRecord
    from joinedup.people.models import RelationshipType
    from joinedup.population.config import load_config
    from joinedup.population.queries import current_profile

    profile = current_profile(person)
    if profile is not None:
        config = load_config()
        source = "GP coded record (population run)"
        physical, _ = config.condition_labels(profile.condition_keys, show_sensitive=False)
        everything, _ = config.condition_labels(profile.condition_keys)
        mental = [label for label in everything if label not in physical]
        yield "physical.conditions", ", ".join(physical), source, profile.run.started_at
        yield "wellbeing.conditions", ", ".join(mental), source, profile.run.started_at
        yield "mobility.frailty", profile.efi_band.capitalize(), source, profile.run.started_at

    registered, when = "Registered record", person.updated_at
    address = ", ".join(
        p for p in (person.address_line1, person.address_line2, person.postcode) if p
    )
    yield "housing.address", address, registered, when
    yield "communication.language", person.preferred_language, registered, when
    yield "communication.interpreter", "yes" if person.interpreter_needed else "", registered, when
    yield (
        "communication.needs",
        ", ".join(person.communication_need_labels()),
        registered,
        when,
    )
    yield "communication.phone", person.phone, registered, when
    carers = person.relationships.filter(
        type=RelationshipType.CARER, ended_at__isnull=True
    ).select_related("related_person")
    for r in carers:
        name = r.related_person.full_name if r.related_person_id else r.contact_name
        yield "caring.carer", name, "Registered record (relationships)", r.created_at

    records = SourceRecord.objects.filter(person=person, current=True).select_related(
        "agency", "load"
    )
    for r in records:
        source, when = f"{r.agency.name} record", r.load.loaded_at
        yield "communication.phone", r.phone, source, when
        yield "communication.language", r.language, source, when
        yield "communication.needs", r.communication_needs, source, when
        yield "caring.carer", r.carer, source, when

    if plan_content:
        yield (
            "what_matters.text",
            (plan_content.get("about_me") or {}).get("what_matters"),
            "Care plan",
            plan_date,
        )


# ---------------------------------------------------------------------------------------
# What the assessment found: the needs to plan for

# Answers that show a need, by question: the set of answers that do, or for a number, more
# than zero. Each need is named the way a plan would name it.
NEED_SIGNS: dict[str, tuple[str, object]] = {
    "physical.medicines": ("Help with medicines", {"with_help", "struggling"}),
    "physical.medicines_review": ("A medicines review", {"yes"}),
    "wellbeing.mood": ("Support with low mood", {"mixed", "low"}),
    "memory.concerns": ("A memory assessment", {"yes"}),
    "mobility.falls": ("Falls prevention", "positive"),
    "mobility.walking": ("Help getting about", {"with_help", "unable"}),
    "daily_living.help": ("Help with daily living", {"some_help", "lots_of_help"}),
    "housing.suitable": ("A home that suits their needs", {"some_problems", "no"}),
    "money.worries": ("Money advice", {"yes"}),
    "money.benefits_advice": ("Benefits advice", {"yes"}),
    "loneliness.how_often": ("Company and social contact", {"often", "some_of_the_time"}),
    "caring.carer_assessment": ("A carer's assessment", {"yes"}),
    "communication.interpreter": ("An interpreter", {"yes"}),
    "safety.feels_safe": ("Feeling safe (safeguarding)", {"no"}),
}


def needs_found(domains, answers: dict, *, withheld: set[str] = frozenset()) -> list[dict]:
    """The needs the answers show, in the questionnaire's order: ``domain``, ``need`` and
    the answer that shows it. Domains in ``withheld`` (sensitive, not for this viewer) are
    left out."""
    found = []
    for d in domains:
        if d.link_id in withheld:
            continue
        for q in d.questions:
            sign = NEED_SIGNS.get(q.link_id)
            value = answers.get(q.link_id, "")
            if not sign or value in (None, ""):
                continue
            need, shows = sign
            if shows == "positive":
                hit = str(value).isdecimal() and int(value) > 0
            else:
                hit = value in shows
            if hit:
                found.append({"domain": d.title, "need": need, "answer": shown(q, value)})
    return found
