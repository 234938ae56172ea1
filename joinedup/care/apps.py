from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "joinedup.care"
    label = "care"
