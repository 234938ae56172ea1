from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "joinedup.people"
    label = "people"
    verbose_name = "Residents"

    def ready(self) -> None:
        # Registers the foundation relationships (registered practice, break-glass).
        from . import access  # noqa: F401
        from .merging import register_attachment
        from .models import BreakGlass, Relationship

        register_attachment("relationships", Relationship, "person")
        register_attachment("relationships_as_contact", Relationship, "related_person")
        register_attachment("break_glass", BreakGlass, "person")
