from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "joinedup.ingest"
    label = "ingest"

    def ready(self) -> None:
        from joinedup.people.merging import register_attachment

        from .models import AdtMessage

        # The messages about a person follow them through a merge (and back).
        register_attachment("adt_messages", AdtMessage, "person")
