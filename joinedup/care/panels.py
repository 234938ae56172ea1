"""The care coordination panel on the person summary."""

from .models import CarePlan, CaseloadEntry
from .queries import care_team


def care_panel(person, *, show_sensitive: bool = True):
    entry = CaseloadEntry.objects.filter(person=person).first()
    plan = CarePlan.objects.filter(person=person).first()
    team = list(care_team(person))
    return (
        "care/panel.jinja",
        {"person": person, "entry": entry, "plan": plan, "team": team},
    )
