from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "joinedup.directory"
    label = "directory"

    def ready(self) -> None:
        from joinedup.people.merging import register_attachment

        from . import jobs  # noqa: F401 - registers the directory app's background jobs
        from .place_rules import register

        register()
        from .models import Shortlist

        register_attachment("shortlists", Shortlist, "person")
