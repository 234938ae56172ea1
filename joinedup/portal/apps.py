from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "joinedup.portal"
    label = "portal"
