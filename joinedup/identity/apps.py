from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "joinedup.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from joinedup.people.panels import register_summary_panel

        from . import jobs  # noqa: F401 - registers the identity app's background jobs
        from .panels import known_to_panel

        register_summary_panel("known_to", known_to_panel)

        from joinedup.people.merging import register_attachment

        from .models import ReviewItem, SourceRecord

        register_attachment("source_records", SourceRecord, "person")
        register_attachment("review_items", ReviewItem, "person")
