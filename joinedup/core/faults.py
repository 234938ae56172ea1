"""Crash points for the crash-safety tests (tests/integration/test_crash_safety.py).

A long job calls ``crash_point("name")`` at the moments where a crash would hurt most
(between writing its data and recording it, half-way through saving). When the
environment variable ``JOINEDUP_CRASH_AT`` names that point, the process kills itself with
SIGKILL — exactly what ``kill -9`` does: no cleanup, no exception handlers, no ``finally``.
Otherwise it does nothing."""

import os
import signal


def crash_point(name: str) -> None:
    from django.conf import settings

    if settings.CRASH_AT and settings.CRASH_AT == name:
        os.kill(os.getpid(), signal.SIGKILL)
