from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "joinedup.population"
    label = "population"
    verbose_name = "Population health"

    def ready(self) -> None:
        from joinedup.people.panels import register_summary_panel

        from . import jobs  # noqa: F401 - registers the population app's background jobs
        from .place_rules import register

        register()
        from .panels import profile_panel

        register_summary_panel("population_profile", profile_panel)

        from joinedup.people.merging import register_attachment

        from .models import PersonProfile, RiskScore

        register_attachment("population_profiles", PersonProfile, "person")
        register_attachment("risk_scores", RiskScore, "person")
