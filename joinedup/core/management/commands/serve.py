import os
import shutil
import subprocess
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
        parser.add_argument("--workers", type=int, default=settings.WEB_CONCURRENCY)
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run the background jobs (`joinedup worker`) beside the server, "
            "stopped with it (for a demo or a single machine)",
        )

    def handle(self, *args, port: int, host: str, workers: int, with_worker: bool, **options):
        log_format = settings.SERVE_LOG_FORMAT
        os.environ["JOINEDUP_LOG_FORMAT"] = log_format
        os.environ.setdefault("JOINEDUP_DATA_DIR", str(settings.DATA_DIR))
        if with_worker:
            # It stops with the server (whose process this becomes), however that stops.
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "joinedup.cli", "worker", "--exit-with", str(os.getpid())]
            )
        if log_format == "text":
            if with_worker:
                self.stdout.write("The background worker is running beside it.")
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
        os.execv(sys.executable, args)  # noqa: S606 (no shell: arguments are ours)
