"""The service directory in Open Referral UK (HSDS 3.0) terms. First slice: the
organisations that run services and the services themselves, with when each was last
assured, from imported feeds. Locations, schedules, taxonomies, eligibility and the API
come next (issue 7)."""

from django.db import models


class ServiceStatus(models.TextChoices):
    """HSDS 3.0 service.status."""

    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class FeedImport(models.Model):
    """One import of a feed: where from, when, and what happened to every record."""

    source = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    shape = models.CharField(max_length=20)  # "hsds-3.0" or "oruk-1.0-list"
    imported_at = models.DateTimeField()
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list)  # [{"record": n, "id": ..., "why": ...}]
    repaired = models.JSONField(
        default=list
    )  # [{"record": n, "id": ..., "field": ..., "how": ...}]

    def __str__(self) -> str:
        return f"Import of {self.source} at {self.imported_at:%Y-%m-%d %H:%M}"


class DirectoryOrganisation(models.Model):
    """An HSDS organization: whoever runs a service (charity, council team, practice...)."""

    oruk_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    last_import = models.ForeignKey(FeedImport, null=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """An HSDS service, with its description kept as plain text."""

    oruk_id = models.CharField(max_length=100, unique=True)
    organisation = models.ForeignKey(
        DirectoryOrganisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    fees_description = models.TextField(blank=True)
    assured_date = models.DateField(null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    last_import = models.ForeignKey(FeedImport, null=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [models.Index(fields=["status", "name"], name="service_status_name")]

    def __str__(self) -> str:
        return self.name
