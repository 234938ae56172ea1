"""The worker, as it runs in production: ``joinedup worker`` processes on an SQLite data
directory, one killed with SIGKILL (as ``kill -9`` would) while running a job. Another
worker finds the job without a heartbeat and runs it again; the work is done once."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The worker gets a database of its own (SQLite), so one run covers both passes of CI.
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs in the SQLite pass"),
]

ENQUEUE = """
from django.db import transaction
from joinedup.core.mail import Mail, send_after_commit
with transaction.atomic():
    send_after_commit([Mail(to="ada@example.org", subject="Hello from the queue",
                            body="A single-use link")], what="test emails")
"""


def environment(data_dir: Path, **extra: str) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        JOINEDUP_DATA_DIR=str(data_dir),
        JOINEDUP_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        JOINEDUP_JOB_STALE_SECONDS="2",
        JOINEDUP_JOB_RETRY_SECONDS="1",
        **extra,
    )
    return env


def joinedup(data_dir: Path, *args: str, **extra: str):
    return subprocess.run(
        [sys.executable, "-m", "joinedup.cli", *args],
        env=environment(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )


def worker(data_dir: Path, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "joinedup.cli", "worker", "--workers", "1"],
        env=environment(data_dir, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def job(data_dir: Path) -> tuple:
    with sqlite3.connect(data_dir / "joinedup.sqlite3") as db:
        return db.execute("SELECT status, attempts, args FROM jobs_job").fetchone()


@pytest.fixture(params=["sqlite", "redis"])
def queue_env(request, tmp_path, monkeypatch):
    """The queue as it runs by default (an SQLite file) and in production (Redis: `.ci/run`
    makes sure the machine's Redis is running)."""
    if request.param == "redis":
        monkeypatch.setenv("JOINEDUP_REDIS_URL", "redis://127.0.0.1:6379/0")
        monkeypatch.setenv("JOINEDUP_QUEUE_NAME", f"test-{tmp_path.name}-{os.getpid()}")
    return request.param


def test_a_job_whose_worker_is_killed_is_run_again_by_another(tmp_path, queue_env):
    data = tmp_path / "data"
    done = joinedup(data, "migrate", "--no-input")
    assert done.returncode == 0, done.stderr[-2000:]
    done = joinedup(data, "shell", "-c", ENQUEUE)
    assert done.returncode == 0, done.stderr[-2000:]
    assert job(data)[:2] == ("queued", 0)

    first = worker(data, JOINEDUP_CRASH_AT="jobs.running")
    output, _ = first.communicate(timeout=120)
    assert first.returncode == -signal.SIGKILL, output[-2000:]
    assert job(data)[:2] == ("running", 1)  # claimed, then the worker died with it
    assert "Hello from the queue" not in output

    second = worker(data)
    try:
        deadline = time.monotonic() + 90
        while job(data)[0] != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        second.send_signal(signal.SIGINT)
        output, _ = second.communicate(timeout=60)
    status, attempts, args = job(data)
    assert (status, attempts) == ("succeeded", 2), output[-3000:]
    assert output.count("Subject: Hello from the queue") == 1
    assert args == "{}"  # the email, with its link, is not kept once sent
