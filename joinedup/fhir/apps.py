from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "joinedup.fhir"
    label = "fhir"
