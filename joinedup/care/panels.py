"""The care coordination panel on the person summary."""

from joinedup.core.models import OrganisationType

from .models import CarePlan, CaseloadEntry, EpisodeStatus, HospitalEpisode
from .queries import care_team


def care_panel(person, *, show_sensitive: bool = True):
    entry = CaseloadEntry.objects.filter(person=person).first()
    plan = CarePlan.objects.filter(person=person).first()
    team = list(care_team(person))
    in_hospital = HospitalEpisode.objects.filter(person=person, status=EpisodeStatus.IN_HOSPITAL)
    if not show_sensitive:  # a mental health trust's stay says what it was for
        in_hospital = in_hospital.exclude(hospital__type=OrganisationType.MENTAL_HEALTH_TRUST)
    in_hospital = in_hospital.select_related("hospital").order_by("-started_at").first()
    return (
        "care/panel.jinja",
        {"person": person, "entry": entry, "plan": plan, "team": team, "in_hospital": in_hospital},
    )


def care_banner_facts(person, banner) -> None:
    """The key worker (and lead, if someone else) in the patient banner."""
    from .models import CareTeamMember

    def name(member) -> str:
        who = (
            member.user.get_full_name()
            if member.user
            else (member.team.name if member.team else "Whole organisation")
        )
        return f"{who}, {member.organisation.name}"

    members = CareTeamMember.objects.filter(
        person=person, left_at__isnull=True, is_key_worker=True
    ).select_related("user", "team", "organisation")
    key_worker = members.first()
    banner.facts.append(("Key worker", name(key_worker) if key_worker else "None named"))
