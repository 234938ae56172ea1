"""``joinedup worker``: run the background jobs (Huey's consumer). Beside it, a reaper sends
again whatever a worker that died (or a queue that lost it) left behind: at the start,
then every half of ``JOBS_STALE_SECONDS``."""

import logging
import os
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from huey.consumer_options import ConsumerConfig

from joinedup.jobs import queue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reaper(every: float, stop: threading.Event, exit_with: int | None) -> None:
    while True:
        if exit_with and not _alive(exit_with):
            os.kill(os.getpid(), signal.SIGINT)  # the server it ran beside has gone: stop
            return
        try:
            queue.reap()
        finally:
            connection.close()
        if stop.wait(every):
            return


class Command(BaseCommand):
    help = "Run background jobs (emails, selections...): keep one running beside the server"

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.HUEY["consumer"]["workers"],
            help="jobs run at once (JOINEDUP_WORKER_THREADS, 2)",
        )
        parser.add_argument(
            "--exit-with", type=int, metavar="PID", help="stop when this process has stopped"
        )

    def handle(self, *args, workers: int, exit_with: int | None, **options):
        counts = queue.reap()
        connection.close()
        if any(counts.values()):
            self.stdout.write(
                f"Restarted {counts['restarted']} job(s) a stopped worker left, "
                f"sent again {counts['resent']} the queue had lost"
            )
        stop = threading.Event()
        every = min(queue.stale().total_seconds() / 2, 5 if exit_with else 3600)
        threading.Thread(
            target=_reaper, args=(every, stop, exit_with), daemon=True, name="reaper"
        ).start()
        from huey.contrib.djhuey import HUEY

        config = ConsumerConfig(**{**settings.HUEY["consumer"], "workers": workers})
        config.validate()
        huey_log = logging.getLogger("huey")
        if not huey_log.handlers:
            config.setup_logger(huey_log)
        try:
            HUEY.create_consumer(**config.values).run()
        finally:
            stop.set()
