from django.db import models


class ImportRun(models.Model):
    """One file (or folder) brought into the analytics store, with what happened to it."""

    KINDS = [("events", "CSV event extract"), ("fhir", "FHIR R4 bundles")]

    kind = models.CharField(max_length=10, choices=KINDS)
    source = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    records_read = models.PositiveIntegerField(default=0)
    records_kept = models.PositiveIntegerField(default=0)
    records_quarantined = models.PositiveIntegerField(default=0)
    resources_skipped = models.JSONField(default=dict, blank=True)
    batch = models.CharField(max_length=100, blank=True)
    quarantine_report = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "sha256"], name="import_once_per_content")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source}"


class AdtStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    UNMATCHED = "unmatched", "Kept: no person matched yet"
    FAILED = "failed", "Kept: could not be applied"
    QUARANTINED = "quarantined", "Refused (quarantined)"


class AdtMessage(models.Model):
    """One HL7 v2 ADT message as a hospital sent it over MLLP, kept (and committed) before
    it is acknowledged. A message is taken once per sending facility and control id
    (MSH-4, MSH-10): the same one sent again is acknowledged and changes nothing. Refused
    messages are kept too, with why (the quarantine)."""

    received_at = models.DateTimeField()
    sending_facility = models.CharField(max_length=100, blank=True)
    control_id = models.CharField(max_length=100, blank=True)
    event = models.CharField(max_length=10, blank=True)  # A01...
    raw = models.TextField()  # as decoded (undecodable bytes as \\x escapes)
    sha256 = models.CharField(max_length=64)  # of the bytes as received
    status = models.CharField(max_length=12, choices=AdtStatus.choices)
    ack_code = models.CharField(max_length=2)  # AA, AE or AR, as answered
    reason = models.CharField(max_length=300, blank=True)  # why refused, unmatched, failed
    outcome = models.CharField(max_length=100, blank=True)  # what it did: "admitted"...
    hospital = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    episode = models.ForeignKey(
        "care.HospitalEpisode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sending_facility", "control_id"],
                condition=~models.Q(status="quarantined"),
                name="adt_message_once",
            )
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="adt_status_received"),
            models.Index(fields=["sha256"], name="adt_sha256"),
        ]

    def __str__(self) -> str:
        return f"ADT {self.event} {self.sending_facility}:{self.control_id} ({self.status})"
