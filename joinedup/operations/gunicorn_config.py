"""Gunicorn's settings for ``joinedup serve`` (``--config
python:joinedup.operations.gunicorn_config``), read by gunicorn's master process.

- In JSON (the default for ``serve``), gunicorn's own lines (starting, workers booting
  and dying) are JSON lines too, and its access log is off: joinedup writes each
  request's line itself, with the request id (``operations.middleware``).
- In JSON, Python's warnings are logged (as JSON lines) rather than printed.
- When a worker exits, its live figures for ``/metrics`` are let go
  (prometheus_client's multiprocess mode; counts it made are kept).
"""

import logging

from django.conf import settings

from joinedup.operations.logs import logging_config


def _logconfig() -> dict:
    if settings.LOG_FORMAT != "json":
        return {}  # gunicorn's own text lines, and the access log `serve` asks for
    config = logging_config(log_format="json", level=settings.LOG_LEVEL)
    config["handlers"]["null"] = {"class": "logging.NullHandler"}
    config["loggers"] = {
        **config["loggers"],
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"handlers": ["null"], "propagate": False},
    }
    return config


logconfig_dict = _logconfig()


def post_fork(server, worker) -> None:
    if settings.LOG_FORMAT == "json":
        # Python's warnings go through logging, as JSON lines, not as bare text.
        logging.captureWarnings(True)


def child_exit(server, worker) -> None:
    if settings.METRICS_MULTIPROCESS_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid, settings.METRICS_MULTIPROCESS_DIR)
