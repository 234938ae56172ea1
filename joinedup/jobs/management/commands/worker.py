"""``joinedup worker``: run the background jobs (Huey's consumer). Beside it, a reaper sends
again whatever a worker that died (or a queue that lost it) left behind: at the start,
then every half of ``JOBS_STALE_SECONDS``."""

import os
import signal
import threading

from django.db import connection
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey

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


class Command(RunHuey):
    help = "Run background jobs (emails, selections...): keep one running beside the server"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--exit-with", type=int, metavar="PID", help="stop when this process has stopped"
        )

    def handle(self, *args, **options):
        exit_with = options.pop("exit_with", None)
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
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
