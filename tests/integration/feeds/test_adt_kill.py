"""A listener killed with SIGKILL (``kill -9``) loses nothing and doubles nothing: a
message is either kept and acknowledged, kept and not acknowledged (the sender sends it
again, and it is taken once), or not kept and not acknowledged (sent again, taken then).

The listener runs as the command line runs it, ``joinedup feeds adt --listen``, in a
process of its own, on an SQLite database in a data directory made for the test."""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from joinedup.synth.adt import adt_stream
from tests.adt_corpus import MllpClient, msa

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The listener gets a database of its own (SQLite), so one run covers both passes of CI.
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs in the SQLite pass"),
]
NUMBERS = ["9434765803", "9434765811", "9434765838", "9434765846", "9434765870"]
SETUP = f"""
import os
from datetime import date
import django
django.setup()
from joinedup.core.actions import create_organisation
from joinedup.people.actions import register_person
create_organisation(by=None, name="Riverside Hospitals", type="acute_trust", ods_code="RJ1")
for i, number in enumerate({NUMBERS!r}):
    register_person(by=None, organisation=None, nhs_number=number, given_name="Pat",
                    family_name=f"Person{{i}}", birth_date=date(1945, 1, 1), sex="female")
"""


def _env(data_dir: Path, crash: str | None = None) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["JOINEDUP_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "joinedup.settings"
    if crash:
        env["JOINEDUP_CRASH_AT"] = crash
    return env


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A migrated database with the hospital and five residents, copied for each test."""
    data = tmp_path_factory.mktemp("adt-template")
    for args in (["-m", "joinedup.cli", "migrate", "--no-input"], ["-c", SETUP]):
        done = subprocess.run(
            [sys.executable, *args], env=_env(data), capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return data


@pytest.fixture
def data_dir(prepared, tmp_path):
    shutil.copy(prepared / "joinedup.sqlite3", tmp_path / "joinedup.sqlite3")
    return tmp_path


class Listening:
    """``joinedup feeds adt --listen 127.0.0.1:0`` in its own process."""

    def __init__(self, data_dir: Path, crash: str | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "joinedup.cli", "feeds", "adt", "--listen", "127.0.0.1:0"],
            env=_env(data_dir, crash),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        line = self.process.stdout.readline()
        found = re.search(r"on ([\d.]+):(\d+)", line)
        assert found, line
        self.address = (found.group(1), int(found.group(2)))

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(30) == -signal.SIGKILL

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(30) == 0


def _rows(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "joinedup.sqlite3") as db:
        return db.execute(sql).fetchall()


def _send_all(address, messages, start: int, acked: list[int]) -> None:
    """Send from ``start``, one at a time, noting each acknowledged index; stop quietly
    when the listener goes."""
    client = MllpClient(*address)
    try:
        for index in range(start, len(messages)):
            code, _, _ = msa(client.exchange(messages[index]))
            assert code == "AA"
            acked.append(index)
    except (ConnectionError, OSError):
        pass
    finally:
        client.close()


def test_killed_after_keeping_a_message_and_before_acknowledging_it(data_dir):
    messages = adt_stream(NUMBERS, count=3, seed=3)
    listener = Listening(data_dir, crash="adt.before-ack")
    client = MllpClient(*listener.address)
    with pytest.raises(ConnectionError):
        client.exchange(messages[0])
    assert listener.process.wait(30) == -signal.SIGKILL
    assert _rows(data_dir, "SELECT count(*) FROM ingest_adtmessage") == [(1,)]  # kept
    listener = Listening(data_dir)
    client = MllpClient(*listener.address)
    for message in messages:  # the unacknowledged one first, as the sender resends it
        assert msa(client.exchange(message))[0] == "AA"
    client.close()
    listener.stop()
    assert _rows(
        data_dir, "SELECT count(*), count(DISTINCT control_id) FROM ingest_adtmessage"
    ) == [(3, 3)]


def test_killed_at_any_moment_of_a_stream_nothing_is_lost_or_doubled(data_dir):
    messages = adt_stream(NUMBERS, count=300, seed=5)
    acked: list[int] = []
    listener = Listening(data_dir)
    sender = threading.Thread(target=_send_all, args=(listener.address, messages, 0, acked))
    sender.start()
    while len(acked) < 60:  # well into the stream
        sender.join(0.01)
        assert sender.is_alive(), "the stream ended before the kill"
    listener.kill()
    sender.join(30)
    assert len(acked) < len(messages)
    resume = acked[-1] + 1  # the sender resends everything it had no acknowledgement for
    kept = _rows(data_dir, "SELECT count(*) FROM ingest_adtmessage")[0][0]
    assert resume <= kept <= resume + 1  # at most the one in flight was kept unacknowledged
    listener = Listening(data_dir)
    _send_all(listener.address, messages, resume, acked)
    listener.stop()
    assert acked[-1] == len(messages) - 1
    rows = _rows(
        data_dir,
        "SELECT count(*), count(DISTINCT control_id), sum(status = 'applied') "
        "FROM ingest_adtmessage",
    )
    assert rows == [(300, 300, 300)]
    audits = _rows(data_dir, "SELECT count(*) FROM core_auditevent WHERE action = 'ingest.adt'")
    assert audits == [(300,)]
    # The episodes are what an uninterrupted run makes: one per visit.
    visits = {re.search(rb"\|((?:AE|V)\d+)\|", m).group(1) for m in messages}
    assert _rows(data_dir, "SELECT count(*) FROM care_hospitalepisode") == [(len(visits),)]
