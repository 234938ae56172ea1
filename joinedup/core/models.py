"""Places, organisations, staff and the audit trail."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class System(models.Model):
    """An integrated care system (ICS), e.g. North West London."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A place (borough) inside a system."""

    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="places")
    code = models.CharField(max_length=20, unique=True, help_text="ONS local authority code")
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class LocalCareNetwork(models.Model):
    """100,000–200,000 people and 15–20 GP practices working as one network."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="networks")
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """30,000–50,000 people inside a local care network."""

    network = models.ForeignKey(
        LocalCareNetwork, on_delete=models.PROTECT, related_name="neighbourhoods"
    )
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Lsoa(models.Model):
    """A Lower-layer Super Output Area with its Index of Multiple Deprivation 2019 rank.

    Decile 1 and quintile 1 are the most deprived.
    """

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=200)
    imd_decile = models.PositiveSmallIntegerField()
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="lsoas"
    )

    class Meta:
        verbose_name = "LSOA"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="lsoa_imd_decile_1_to_10",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def imd_quintile(self) -> int:
        return (self.imd_decile + 1) // 2


class Postcode(models.Model):
    """Postcode → LSOA and its centre (latitude, longitude), loaded from an ONS Postcode
    Directory-style CSV: the offline postcode lookup (no external geocoder)."""

    postcode = models.CharField(max_length=8, unique=True, help_text="Normalised, e.g. 'NW1 2DB'")
    lsoa = models.ForeignKey(Lsoa, on_delete=models.PROTECT, related_name="postcodes")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return self.postcode


class OrganisationType(models.TextChoices):
    GP_PRACTICE = "gp_practice", "GP practice"
    GP_FEDERATION = "gp_federation", "GP federation"
    ACUTE_TRUST = "acute_trust", "Acute trust"
    COMMUNITY_TRUST = "community_trust", "Community trust"
    MENTAL_HEALTH_TRUST = "mental_health_trust", "Mental health trust"
    ADULT_SOCIAL_CARE = "adult_social_care", "Council adult social care"
    CHILDRENS_SERVICES = "childrens_services", "Council children's services"
    PUBLIC_HEALTH = "public_health", "Public health"
    PHARMACY = "pharmacy", "Pharmacy"
    VOLUNTARY = "voluntary", "Voluntary or community group"
    HEALTHWATCH = "healthwatch", "Healthwatch"
    ICB = "icb", "Integrated care board"


# Voluntary groups often have no ODS code; everyone else must have one.
ODS_OPTIONAL_TYPES = {OrganisationType.VOLUNTARY, OrganisationType.HEALTHWATCH}


class Organisation(models.Model):
    """Any of the 100+ agencies of a place."""

    ods_code = models.CharField(max_length=10, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=30, choices=OrganisationType.choices)
    places = models.ManyToManyField(Place, related_name="organisations", blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practices",
        help_text="For GP practices: the neighbourhood (and so LCN) they belong to",
    )
    postcode = models.CharField(max_length=8, blank=True)
    # From NHS Digital's file: a closed practice is kept (people's history points at it) but
    # takes no new registrations.
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def home_place(self) -> "Place | None":
        """The place whose settings apply to its work: a practice's neighbourhood's place,
        else the first place it serves."""
        if self.neighbourhood_id:
            return self.neighbourhood.network.place
        # Read from ``places.all()``, so that a prefetch of many practices' places is used.
        return min(self.places.all(), key=lambda place: place.code, default=None)


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class Role(models.TextChoices):
    GP = "gp", "GP"
    PRACTICE_NURSE = "practice_nurse", "Practice nurse"
    COMMUNITY_NURSE = "community_nurse", "Community nurse"
    HOSPITAL_SPECIALIST = "hospital_specialist", "Hospital specialist"
    MENTAL_HEALTH = "mental_health", "Mental health practitioner"
    SOCIAL_WORKER = "social_worker", "Social worker"
    CARE_NAVIGATOR = "care_navigator", "Care navigator or social prescriber"
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    PHARMACIST = "pharmacist", "Pharmacist"
    VOLUNTARY_WORKER = "voluntary_worker", "Voluntary sector worker"
    ANALYST = "analyst", "Analyst or commissioner"
    ENGAGEMENT_OFFICER = "engagement_officer", "Engagement officer"
    DATA_QUALITY = "data_quality", "Data quality officer"
    DIRECTORY_CURATOR = "directory_curator", "Service directory curator"
    ORG_ADMIN = "org_admin", "Organisation admin"
    SYSTEM_ADMIN = "system_admin", "System admin"


def in_a_sentence(label: str) -> str:
    """How a role or organisation type reads inside a sentence: ``"Practice nurse"`` →
    ``"practice nurse"``; an initialism stays as it is (``"GP practice"``)."""
    label = str(label)
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


class User(AbstractUser):
    """A member of staff. Residents get their own accounts in the portal."""

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A user works for an organisation in a role (possibly several)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    active = models.BooleanField(default=True)
    # Made by a staff file (``joinedup staff load``): one missing from a later file is
    # made inactive. Memberships an organisation admin adds on the page are theirs to keep.
    from_file = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


class ApiToken(models.Model):
    """A bearer token for the JSON APIs. Only a hash of the token is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API token of {self.user} for {self.organisation}"


class AuditEvent(models.Model):
    """Who did what, for which organisation, to which person, when and why.

    ``person_id`` is a plain number, not a foreign key, so the trail outlives
    merges and deletions of the record it describes.
    """

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField(max_length=60)
    person_id = models.BigIntegerField(null=True, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person_id", "-at"], name="audit_person_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class LoadRun(models.Model):
    """One file loaded by ``joinedup places|lsoas|organisations|staff|people load``: what
    it was, who loaded it, and what it changed (with ``LoadChange`` for each change)."""

    kind = models.CharField(max_length=20)  # places, lsoas, organisations, staff, people
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    ended = models.PositiveIntegerField(default=0)  # deactivated, deregistered, closed
    quarantined = models.PositiveIntegerField(default=0)
    # The first quarantined rows ({"row", "field", "reason"}); all of them are in the report.
    problems = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} from {self.file_name} at {self.loaded_at:%Y-%m-%d %H:%M}"


class LoadChange(models.Model):
    """A record a load changed, field by field ({field: [before, after]}): the history of
    places, LSOAs, organisations, staff and each person's registration details."""

    load = models.ForeignKey(LoadRun, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=100)  # a code, a username or a person's id
    action = models.CharField(max_length=20)  # updated, ended, reopened
    changes = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["kind", "key"], name="loadchange_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.action}"


class PlaceSettings(models.Model):
    """One version of the settings of a place, or of the whole system when ``place`` is
    empty (the default each place starts from). ``values`` holds only what this level
    sets; ``core.place_settings.effective`` merges code defaults ← system ← place."""

    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="settings"
    )
    version = models.PositiveIntegerField()
    values = models.JSONField(default=dict, blank=True)
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "version"], name="place_settings_version"),
            models.UniqueConstraint(
                fields=["version"],
                condition=models.Q(place__isnull=True),
                name="system_settings_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Settings of {self.place or 'the system'}, version {self.version}"
