from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "joinedup.identity"
    label = "identity"
