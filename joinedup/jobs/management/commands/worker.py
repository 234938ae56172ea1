"""``joinedup worker``: run the background jobs (Huey's consumer). Beside it, a reaper sends
again whatever a worker that died (or a queue that lost it) left behind: at the start,
then every half of ``JOBS_STALE_SECONDS``."""

import threading

from django.db import connection
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey

from joinedup.jobs import queue


def _reaper(every: float, stop: threading.Event) -> None:
    while True:
        try:
            queue.reap()
        finally:
            connection.close()
        if stop.wait(every):
            return


class Command(RunHuey):
    help = "Run background jobs (emails, selections...): keep one running beside the server"

    def handle(self, *args, **options):
        counts = queue.reap()
        connection.close()
        if any(counts.values()):
            self.stdout.write(
                f"Restarted {counts['restarted']} job(s) a stopped worker left, "
                f"sent again {counts['resent']} the queue had lost"
            )
        stop = threading.Event()
        every = queue.stale().total_seconds() / 2
        threading.Thread(target=_reaper, args=(every, stop), daemon=True, name="reaper").start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
