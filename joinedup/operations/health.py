"""``/health``, for load balancers and monitoring: each check's result as JSON, 200 when
all pass and 503 naming those that failed. Open to anyone and served over plain HTTP
too (``SECURE_REDIRECT_EXEMPT``), so it says what failed in a few words, never how
(no paths, no error text): the details go to the log.

A check is a function that returns nothing when all is well and raises
``CheckFailed("what is wrong, in a few words")`` when it is not; add it to ``CHECKS``.
"""

import logging
import tempfile

from django.db import connection
from django.http import JsonResponse

from joinedup.population.store import AnalyticsStore

log = logging.getLogger(__name__)


class CheckFailed(Exception):
    """A check's failure, in words fit for anyone to read."""


def database() -> None:
    """The database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        log.error("health: the database did not answer: %s", type(error).__name__)
        raise CheckFailed("the database did not answer") from error


def analytics_store() -> None:
    """Files can be written in the analytics store's folder (made if missing, as the
    store makes it on its first write)."""
    root = AnalyticsStore().root
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".health-"):
            pass
    except OSError as error:
        log.error("health: cannot write to the analytics store: %s", type(error).__name__)
        raise CheckFailed("the analytics store cannot be written to") from error


def job_queue() -> None:
    """The background job queue (SQLite file or Redis) answers."""
    from huey.contrib.djhuey import HUEY

    try:
        HUEY.pending_count()
    except Exception as error:
        log.error("health: the job queue did not answer: %s", type(error).__name__)
        raise CheckFailed("the job queue did not answer") from error


CHECKS = {
    "database": database,
    "analytics_store": analytics_store,
    "job_queue": job_queue,
}


def health(request):
    results, failed = {}, []
    for name, check in CHECKS.items():
        try:
            check()
        except CheckFailed as failure:
            results[name] = {"ok": False, "error": str(failure)}
            failed.append(name)
        except Exception:
            log.exception("health: the %s check failed", name)
            results[name] = {"ok": False, "error": "the check itself failed"}
            failed.append(name)
        else:
            results[name] = {"ok": True}
    body = {"status": "failing" if failed else "ok", "checks": results}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)
