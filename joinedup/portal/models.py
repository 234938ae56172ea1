"""Residents' own door into joinedup: an account per resident, made from an invitation
their care coordinator sends. Resident accounts are not staff users: they sign in
separately, and a browser holds either a staff session or a resident session, never both."""

from django.conf import settings
from django.db import models

from joinedup.core.models import Organisation


class ResidentAccount(models.Model):
    """A resident's sign-in. ``password`` is a Django password hash; ``totp_key`` is set
    when the resident turns on two-factor sign-in."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="portal_account"
    )
    email = models.EmailField(unique=True)
    password = models.CharField(max_length=128)
    totp_key = models.CharField(max_length=80, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Portal account of person {self.person_id}"


class Invitation(models.Model):
    """A single-use, expiring invitation to make a portal account. Only a hash of the
    link's token is kept."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation of person {self.person_id}"
