from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "joinedup.people"
    label = "people"
    verbose_name = "Residents"

    def ready(self) -> None:
        # Registers the foundation relationships (registered practice, break-glass).
        from . import access  # noqa: F401
