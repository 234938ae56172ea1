from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "joinedup.portal"
    label = "portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from joinedup.people.banner import register_banner_facts
        from joinedup.people.merging import register_attachment

        from .access import forget_resident_on_staff_sign_in, proxy_banner_facts
        from .models import Invitation, ProxyGrant, ResidentAccount

        user_logged_in.connect(forget_resident_on_staff_sign_in, dispatch_uid="portal-staff")
        register_attachment("portal_account", ResidentAccount, "person")
        register_attachment("portal_invitations", Invitation, "person")
        register_banner_facts("carer_proxy", proxy_banner_facts)
        register_attachment("proxy_grants", ProxyGrant, "person")
