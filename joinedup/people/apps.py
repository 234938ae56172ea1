from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "joinedup.people"
    label = "people"
    verbose_name = "Residents"

    def ready(self) -> None:
        # Registers the foundation relationships (registered practice, break-glass).
        from joinedup.core.jinja_env import register_global

        from . import access  # noqa: F401
        from .banner import banner
        from .merging import register_attachment
        from .models import BreakGlass, Relationship

        register_attachment("relationships", Relationship, "person")
        register_attachment("relationships_as_contact", Relationship, "related_person")
        register_attachment("break_glass", BreakGlass, "person")
        register_global("person_banner", banner)
