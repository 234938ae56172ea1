"""Residents' own door into joinedup: an account per resident, made from an invitation
their care coordinator sends. Resident accounts are not staff users: they sign in
separately, and a browser holds either a staff session or a resident session, never both."""

from django.conf import settings
from django.db import models

from joinedup.core.models import Organisation


class ResidentAccount(models.Model):
    """A resident's sign-in. ``password`` is a Django password hash; ``totp_key`` is set
    when the resident turns on two-factor sign-in."""

    # None for a carer who is not (or not known as) a resident: they see only what
    # residents granted them.
    person = models.OneToOneField(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="portal_account",
    )
    display_name = models.CharField(max_length=200, blank=True)
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


# The parts of a plan a resident can share with a carer.
PROXY_SECTIONS = (
    ("about_me", "About me and what matters to me"),
    ("goals", "My goals and how they are going"),
    ("actions", "Who is doing what"),
    ("care_team", "My care team"),
    ("contingency", "If things get worse"),
    ("review", "When we look at my plan again"),
    ("messages", "Write to my care team for me, and read their replies"),
)


class ProxyGrant(models.Model):
    """A resident lets a named carer or family member see chosen parts of their plan,
    until a date; revoking it stops it at once. ``account`` is set when the carer
    accepts (with a portal account of their own)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    sections = models.JSONField(default=list)
    until = models.DateField()
    token_hash = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(
        ResidentAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    created_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "revoked_at"], name="proxy_account")]

    def __str__(self) -> str:
        return f"Proxy access to person {self.person_id}"
