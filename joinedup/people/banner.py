"""The patient banner: who the person is and how to reach them, at the top of every staff
page about them.

Apps add what only they know (the key worker, a carer's proxy access) with
:func:`register_banner_facts` from ``ready()``, so ``people`` never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Person


@dataclass
class Banner:
    person: Person
    # (label, value) pairs shown side by side.
    facts: list[tuple[str, str]] = field(default_factory=list)
    # (text, colour) tags that a worker must notice before acting: red, yellow, blue, grey.
    alerts: list[tuple[str, str]] = field(default_factory=list)


BannerFacts = Callable[[Person, Banner], None]
_CONTRIBUTORS: dict[str, BannerFacts] = {}


def register_banner_facts(name: str, contribute: BannerFacts) -> None:
    _CONTRIBUTORS[name] = contribute


def _address(person: Person) -> str:
    parts = [person.address_line1, person.address_line2, person.town, person.postcode]
    return ", ".join(p for p in parts if p) or "Not recorded"


def _communication(person: Person) -> str:
    needs = person.communication_need_labels()
    language = person.preferred_language or "English"
    if person.interpreter_needed:
        needs = [f"{language} interpreter", *needs]
    elif language != "English":
        needs = [f"Speaks {language}", *needs]
    return ", ".join(needs) or "None recorded"


def banner(person: Person) -> Banner:
    """What the banner shows for this person (the caller has already opened the record)."""
    from joinedup.core.jinja_env import age, nhs_date

    years = age(person.birth_date, person.date_of_death)
    result = Banner(person=person)
    result.facts = [
        ("NHS number", person.nhs_number_display or "Not known"),
        ("Born", f"{nhs_date(person.birth_date)} ({years} years)"),
        ("Address", _address(person)),
        ("Phone", person.phone or "Not recorded"),
        ("Communication", _communication(person)),
        (
            "GP practice",
            person.registered_practice.name if person.registered_practice else "Not registered",
        ),
        (
            "Sharing",
            "Objects to sharing"
            if person.objects_to_sharing
            else (
                "Consents to sharing sensitive parts with voluntary-sector workers"
                if person.sensitive_sharing_consent
                else "Sensitive parts not shared with voluntary-sector workers"
            ),
        ),
    ]
    if person.date_of_death:
        result.alerts.append((f"Died {nhs_date(person.date_of_death)}", "grey"))
    if person.objects_to_sharing:
        result.alerts.append(("Objects to sharing their record", "red"))
    if person.interpreter_needed:
        result.alerts.append((f"Needs a {person.preferred_language} interpreter", "yellow"))
    for contribute in _CONTRIBUTORS.values():
        contribute(person, result)
    return result
