"""One middleware, first in the list, around every request: it gives the request its id
(kept for every log line written while it is served, and returned as ``X-Request-ID``),
then writes the request's own log line and counts it in the metrics."""

import logging
import time

from django.conf import settings
from django.core.signals import request_finished

from . import logs, metrics

log = logging.getLogger("joinedup.request")

# Load balancers and Prometheus ask these every few seconds: their lines only at DEBUG.
QUIET_VIEWS = frozenset({"health", "metrics"})


def view_name(request) -> str:
    """The URL's name (``care:plan``): few enough values to be a metric's label."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


def _forget_request_id(**kwargs) -> None:
    # Django logs a refusal or failure (status 400 and up) after the middleware has
    # returned, so the id is kept until the server has sent the response.
    logs.request_id.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="joinedup.operations.request_id")


class RequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = logs.request_id_for(request.headers.get("X-Request-ID"))
        logs.request_id.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        view = view_name(request)
        response["X-Request-ID"] = request_id
        metrics.observe_request(
            view=view, method=request.method, status=response.status_code, seconds=seconds
        )
        if response.status_code >= 500:
            level = logging.ERROR
        elif response.status_code >= 400:
            level = logging.WARNING
        elif view in QUIET_VIEWS:
            level = logging.DEBUG
        else:
            level = logging.INFO
        # The path only: a query string can hold a search's name or NHS number.
        log.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "view": view,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
        return response
