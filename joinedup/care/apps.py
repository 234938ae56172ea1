from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "joinedup.care"
    label = "care"

    def ready(self) -> None:
        from joinedup.people.access import register_relationship
        from joinedup.people.banner import register_banner_facts
        from joinedup.people.merging import register_attachment
        from joinedup.people.panels import register_summary_panel
        from joinedup.people.registrations import register_departure

        from . import access, place_rules
        from .actions.caseload import close_for_departure
        from .models import (
            AgendaItem,
            Assessment,
            CarePlan,
            CareTeamMember,
            CaseloadEntry,
            Conversation,
            HospitalEpisode,
            Task,
        )
        from .panels import care_banner_facts, care_panel

        register_summary_panel("care", care_panel)
        register_departure(close_for_departure)
        place_rules.register()
        register_banner_facts("care", care_banner_facts)
        register_relationship("care_team", access.care_team)
        register_relationship("accepted_referral", access.accepted_referral)
        register_relationship("accepted_task", access.accepted_task)
        register_relationship("caseload", access.caseload, inferred=True)
        register_relationship("mdt_agenda", access.mdt_agenda, inferred=True)
        register_attachment("care_team_members", CareTeamMember, "person")
        register_attachment("tasks", Task, "person")
        # Both records of one person are often in the cohort: the survivor keeps its place.
        register_attachment("caseload_entry", CaseloadEntry, "person", stays_when_both=True)
        register_attachment("care_plan", CarePlan, "person")
        register_attachment("assessments", Assessment, "person")
        register_attachment("mdt_agenda_items", AgendaItem, "person")
        register_attachment("conversations", Conversation, "person")
        register_attachment("hospital_episodes", HospitalEpisode, "person")
