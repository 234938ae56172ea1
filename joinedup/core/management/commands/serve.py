import os
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve joinedup with gunicorn (static files by WhiteNoise); logs as JSON lines "
        "unless JOINEDUP_LOG_FORMAT=text."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3))
        )

    def handle(self, *args, port: int, host: str, workers: int, **options):
        log_format = settings.SERVE_LOG_FORMAT
        if log_format == "text":
            self.stdout.write(f"joinedup is at http://{host}:{port}/ (Ctrl+C stops it)")
            sys.stdout.flush()
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            "joinedup.wsgi",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--config",
            "python:joinedup.operations.gunicorn_config",
        ]
        if log_format == "text":
            args += [
                "--access-logfile",
                "-",
                # Paths only: query strings can hold names and NHS numbers (convention 7).
                "--access-logformat",
                '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            ]
        # The workers' counts for /metrics, added up at each scrape; last run's are stale.
        metrics_dir = Path(
            settings.METRICS_MULTIPROCESS_DIR or settings.DATA_DIR / "metrics" / str(port)
        )
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        os.environ["JOINEDUP_LOG_FORMAT"] = log_format
        os.environ.setdefault("JOINEDUP_DATA_DIR", str(settings.DATA_DIR))
        os.execv(sys.executable, args)  # noqa: S606 (no shell: arguments are ours)
