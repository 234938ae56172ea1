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
)


def _spaced(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


def _norm(value) -> str:
    return str(value or "").strip().lower().replace(" ", "")


def known_to_panel(person):
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
    return ("identity/known_to_panel.jinja", {"records": records, "facts": facts})
