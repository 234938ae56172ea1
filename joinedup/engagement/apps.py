from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "joinedup.engagement"
    label = "engagement"

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - registers the engagement app's background jobs
        from .place_rules import register

        register()
