"""Prometheus metrics at ``/metrics``, for operators only: from the server itself (no
proxy in between), or with ``Authorization: Bearer $JOINEDUP_METRICS_TOKEN``.

- ``joinedup_http_requests_total{view,method,status}``: requests answered, by the URL's
  name (``care:plan``; ``static`` and ``unmatched`` for the rest);
- ``joinedup_http_request_duration_seconds{view,method}``: how long they took;
- ``joinedup_runs_in_progress{kind}``: selection, population and import runs started and
  not finished, read from the database at each scrape (a run whose process died stays
  here until it is cleaned up, which is worth an alert too);
- ``joinedup_job_queue_depth``: jobs waiting, once there is a job queue (left out until
  ``job_queue_depth`` knows).

``joinedup serve`` runs several gunicorn workers: each counts its own requests into a
file under ``PROMETHEUS_MULTIPROC_DIR`` (set by ``serve``) and a scrape adds them all up.
Without it (``runserver``, the tests) the counts are the one process's.
"""

import ipaddress
import logging
import secrets

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "joinedup_http_requests",
    "Requests answered, by view, method and status",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "joinedup_http_request_duration_seconds",
    "Time to answer a request, by view and method",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# Methods outside these are counted as "other", so a client cannot make new series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "other"
    REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    LATENCY.labels(view=view, method=method).observe(seconds)


def job_queue_depth() -> int:
    """Background jobs waiting to run (due now or retrying later)."""
    from joinedup.jobs.models import Job, JobStatus

    return Job.objects.filter(status=JobStatus.QUEUED).count()


class DatabaseCollector:
    """Figures read from the database when Prometheus asks, so every worker agrees. With
    the database down they are left out (and /health says why); the rest still answers."""

    def collect(self):
        from joinedup.engagement.models import RunStatus, SelectionRun
        from joinedup.ingest.models import ImportRun
        from joinedup.population.models import PopulationRun

        runs = GaugeMetricFamily(
            "joinedup_runs_in_progress",
            "Runs started and not finished (selection, population, import)",
            labels=["kind"],
        )
        try:
            counts = {
                "selection": SelectionRun.objects.filter(status=RunStatus.RUNNING).count(),
                "population": PopulationRun.objects.filter(finished_at__isnull=True).count(),
                "import": ImportRun.objects.filter(finished_at__isnull=True).count(),
            }
            depth = job_queue_depth()
        except DatabaseError as error:
            log.warning("metrics: runs in progress left out: %s", type(error).__name__)
        else:
            for kind, count in counts.items():
                runs.add_metric([kind], count)
            yield runs
            yield GaugeMetricFamily("joinedup_job_queue_depth", "Jobs waiting", value=depth)


def exposition() -> bytes:
    """Every metric in Prometheus's text format, added up over the server's workers."""
    registry = CollectorRegistry()
    if settings.METRICS_MULTIPROCESS_DIR:
        multiprocess.MultiProcessCollector(registry, path=settings.METRICS_MULTIPROCESS_DIR)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(DatabaseCollector())
    return generate_latest(registry)


def _from_this_machine(request) -> bool:
    """Asked from the server itself, not passed on by a proxy running beside it (which
    would make every visitor look local)."""
    try:
        local = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
    forwarded = any(h in request.headers for h in ("X-Forwarded-For", "X-Real-IP", "Forwarded"))
    return local and not forwarded


def _has_token(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and secrets.compare_digest(given.encode(), f"Bearer {token}".encode())


def metrics(request):
    """``/metrics``: refused (403) unless asked from the server itself or with the token."""
    if not (_has_token(request) or _from_this_machine(request)):
        return HttpResponse(
            "Metrics are for operators: ask from the server itself, or with the metrics "
            "token (Authorization: Bearer ...).\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    # The classic text format: every Prometheus reads it (names here need no escaping).
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
