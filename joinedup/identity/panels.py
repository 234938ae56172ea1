"""'Known to': every agency's record of a person, and what each says, on the person page."""

from .models import SourceRecord

FACTS = (
    (
        "Name",
        lambda r: f"{r.given_name} {r.family_name}".strip(),
        lambda p: f"{p.given_name} {p.family_name}",
    ),
    ("Date of birth", lambda r: r.birth_date, lambda p: p.birth_date),
    ("Postcode", lambda r: r.postcode, lambda p: p.postcode),
    ("Address", lambda r: r.address, lambda p: p.address_line1),
    (
        "NHS number",
        lambda r: _spaced(r.nhs_number) if r.nhs_number_verified else "",
        lambda p: p.nhs_number_display,
    ),
    ("Phone", lambda r: r.phone, lambda p: p.phone),
    (
        "Language",
        lambda r: _language(r.language, r.interpreter_needed),
        lambda p: _language(p.preferred_language, p.interpreter_needed),
    ),
    (
        "Communication needs",
        lambda r: r.communication_needs,
        lambda p: ", ".join(p.communication_need_labels()),
    ),
    ("Carer", lambda r: r.carer, lambda p: ", ".join(_carers(p))),
)


def _language(language: str, interpreter: bool | None) -> str:
    if not language:
        return "Interpreter needed" if interpreter else ""
    return f"{language}, interpreter needed" if interpreter else language


def _carers(person) -> list[str]:
    from joinedup.people.models import RelationshipType

    return [
        r.related_person.full_name if r.related_person_id else r.contact_name
        for r in person.relationships.filter(
            type=RelationshipType.CARER, ended_at__isnull=True
        ).select_related("related_person")
    ]


def _conditions(person, show_sensitive: bool) -> dict | None:
    """Long-term conditions come from the GP's coded record, through the population run."""
    from joinedup.population.config import load_config
    from joinedup.population.queries import current_profile

    profile = current_profile(person)
    if profile is None:
        return None
    labels, withheld = load_config().condition_labels(
        profile.condition_keys, show_sensitive=show_sensitive
    )
    shown = ", ".join(labels) or "None coded"
    if withheld:
        shown += f" (and {withheld} withheld: sensitive)"
    return {
        "label": "Long-term conditions",
        "index": shown,
        "index_source": f"GP coded record, population run of {profile.run.started_at:%-d %B %Y}",
        "sources": [],
        "conflicts": 0,
    }


def _spaced(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


def _norm(value) -> str:
    return "".join(ch for ch in str(value or "").lower() if ch.isalnum())


def known_to_panel(person, *, show_sensitive: bool = True):
    records = list(
        SourceRecord.objects.filter(person=person, current=True)
        .select_related("agency", "load")
        .order_by("agency__name", "local_id")
    )
    if not records:
        return None
    facts = []
    for label, from_record, from_person in FACTS:
        index_value = from_person(person)
        sources = []
        for r in records:
            value = from_record(r)
            if value:
                sources.append(
                    {
                        "agency": r.agency.name,
                        "value": value,
                        "when": r.load.loaded_at,
                        "conflict": bool(index_value) and _norm(value) != _norm(index_value),
                    }
                )
        facts.append(
            {
                "label": label,
                "index": index_value,
                "sources": sources,
                "conflicts": sum(s["conflict"] for s in sources),
            }
        )
    conditions = _conditions(person, show_sensitive)
    if conditions:
        facts.append(conditions)
    return ("identity/known_to_panel.jinja", {"records": records, "facts": facts})
