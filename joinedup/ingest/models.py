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
