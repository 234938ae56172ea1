from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "joinedup.ingest"
    label = "ingest"
