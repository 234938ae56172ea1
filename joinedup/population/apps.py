from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "joinedup.population"
    label = "population"
