from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "joinedup.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - registers the queue's tasks with Huey
