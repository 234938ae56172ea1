"""Background jobs: one row per piece of work handed to the queue.

The row, not the queue, is the record of the work: the queue (Huey, on SQLite or Redis)
only says "run job 42 now". So a job survives what the queue does not — a worker killed
with SIGKILL half-way, a Redis restart — because the reaper finds rows that are running
with no heartbeat, or queued and never picked up, and sends them again (``queue.reap``).
"""

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    kind = models.CharField(max_length=60)  # a name registered with queue.job
    label = models.CharField(max_length=200)  # for people: "Survey invitations (12 emails)"
    # What the work needs (ids, never personal data where an id will do); cleared when
    # the job ends if it held anything sensitive (queue.job(..., clear_args=True)).
    args = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    run_after = models.DateTimeField()
    progress = models.CharField(max_length=200, blank=True)  # "120 of 400 sent"
    error = models.TextField(blank=True)  # the last failure: its kind and message
    worker = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["status", "run_after"], name="job_status_run_after")]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.kind}, {self.status})"
