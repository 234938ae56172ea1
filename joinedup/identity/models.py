"""Every agency's own record of a person, kept as sent, and how each links to one person
in the master person index (``people.Person``)."""

from django.conf import settings
from django.db import models

from joinedup.core.models import Organisation


class Band(models.TextChoices):
    AUTO = "auto", "Linked automatically"
    REVIEW = "review", "Waiting for clerical review"
    UNLINKED = "unlinked", "Not linked"
    MANUAL = "manual", "Linked after review"


class AgencyLoad(models.Model):
    """One extract from one agency."""

    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    quarantine_report = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "sha256"], name="identity_load_once")
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.file_name}"


class SourceRecord(models.Model):
    """An agency's record, exactly as sent (never overwritten: a changed record arrives as
    a new version and the old one stops being current)."""

    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    load = models.ForeignKey(AgencyLoad, on_delete=models.PROTECT, related_name="records")
    local_id = models.CharField(max_length=100)
    current = models.BooleanField(default=True)
    nhs_number = models.CharField(max_length=20, blank=True)
    nhs_number_verified = models.BooleanField(default=False)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=15, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    postcode_valid = models.BooleanField(default=False)
    address = models.CharField(max_length=300, blank=True)
    # What else the agency knows, as they wrote it (optional columns of the extract).
    phone = models.CharField(max_length=30, blank=True)
    language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.BooleanField(null=True, blank=True)
    communication_needs = models.CharField(max_length=300, blank=True)
    carer = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_records",
    )
    band = models.CharField(max_length=10, choices=Band.choices, default=Band.UNLINKED)
    match_probability = models.FloatField(null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)
    # The model version that last scored this record: incremental runs skip it.
    scored_by = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "local_id", "current"], name="source_agency_local"),
            models.Index(fields=["current", "band"], name="source_current_band"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} record {self.local_id}"


class Merge(models.Model):
    """Two records of the same person made one. ``moved`` lists, per attachment, the ids
    that moved from the absorbed record to the survivor, so unmerge can move exactly
    those back; ``stayed``, those kept by the absorbed record because the survivor has
    its own (a profile in the same population run, a place on the same MDT agenda)."""

    survivor = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    absorbed = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    moved = models.JSONField(default=dict)
    stayed = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField()
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Person {self.absorbed_id} merged into {self.survivor_id}"


class ReviewItem(models.Model):
    """A candidate pair between the automatic-link and no-link thresholds."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        LINKED = "linked", "Linked"
        NOT_LINKED = "not_linked", "Not the same person"
        DEFERRED = "deferred", "Deferred"

    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="reviews")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    field_weights = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "person"], name="review_pair_once")
        ]
        indexes = [models.Index(fields=["status", "-match_weight"], name="review_queue")]

    def __str__(self) -> str:
        return f"Review of {self.record} against person {self.person_id}"
