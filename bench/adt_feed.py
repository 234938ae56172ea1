"""The hospital ADT feed: `joinedup feeds adt --listen` as a hospital's integration engine
uses it, one message at a time over MLLP, each waiting for its acknowledgement.

Prints the time, messages per second and acknowledgement latency (p50, p95) of a stream
of BENCH_ADT_MESSAGES (5,000) synthetic ADT messages about 1,000 residents, the listener's
CPU time a message (what bounds its rate, whatever else the machine runs) and its peak
memory; then kills the listener with SIGKILL in the middle of a second stream, restarts
it, resends what had no acknowledgement and counts what was lost or doubled.
Target (issue 20): ≥ 200 messages/s sustained, nothing lost across a kill -9.

Its own database: SQLite (WAL) in `$JOINEDUP_DATA_DIR/bench-adt`, made afresh each run.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from statistics import quantiles
from time import perf_counter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MESSAGES = int(os.environ.get("BENCH_ADT_MESSAGES", "5000"))
RESIDENTS = 1000
START, END = b"\x0b", b"\x1c\r"


def env(data: Path) -> dict:
    values = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    values.update(JOINEDUP_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="joinedup.settings")
    values["PYTHONPATH"] = str(ROOT)  # this checkout's joinedup, whatever is installed
    return values


SETUP = """
from datetime import date
import django
django.setup()
import numpy as np
from joinedup.core.actions import create_organisation
from joinedup.people.actions import register_person
from joinedup.synth.borough import nhs_numbers
create_organisation(by=None, name="Riverside Hospitals", type="acute_trust", ods_code="RJ1")
for i, number in enumerate(nhs_numbers({n}, np.random.default_rng(11))):
    register_person(by=None, organisation=None, nhs_number=number, given_name="Pat",
                    family_name=f"Person{{i}}", birth_date=date(1945, 1, 1), sex="female")
    print(number)
"""


def prepare(data: Path) -> list[str]:
    shutil.rmtree(data, ignore_errors=True)
    (data / "static").mkdir(parents=True)
    run = dict(env=env(data), capture_output=True, text=True, check=True)
    subprocess.run([sys.executable, "-m", "joinedup.cli", "migrate", "--no-input"], **run)
    done = subprocess.run([sys.executable, "-c", SETUP.format(n=RESIDENTS)], **run)
    return done.stdout.split()


class Listener:
    def __init__(self, data: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "joinedup.cli", "feeds", "adt", "--listen", "127.0.0.1:0"],
            env=env(data),
            stdout=subprocess.PIPE,
            text=True,
        )
        found = re.search(r"on ([\d.]+):(\d+)", self.process.stdout.readline())
        self.address = (found.group(1), int(found.group(2)))

    def peak_memory_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait()


def send(address, messages, start: int, acked: list, latencies: list | None = None) -> None:
    """One connection, one message at a time; stops quietly when the listener goes."""
    sock = socket.create_connection(address, timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""
    try:
        for index in range(start, len(messages)):
            began = perf_counter()
            sock.sendall(START + messages[index] + END)
            while END not in buffer:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            ack, _, buffer = buffer.partition(END)
            assert b"MSA|AA|" in ack, ack
            acked.append(index)
            if latencies is not None:
                latencies.append(perf_counter() - began)
    except OSError:
        return
    finally:
        sock.close()


def count(data: Path) -> tuple[int, int]:
    import sqlite3

    with sqlite3.connect(data / "joinedup.sqlite3") as db:
        return db.execute(
            "SELECT count(*), count(DISTINCT control_id) FROM ingest_adtmessage"
        ).fetchone()


def main() -> None:
    from joinedup.synth.adt import adt_stream

    data = Path(os.environ.get("JOINEDUP_DATA_DIR", "var")).resolve() / "bench-adt"
    started = perf_counter()
    numbers = prepare(data)
    took = perf_counter() - started
    print(f"set-up              {RESIDENTS:,} residents and a hospital in {took:.1f} s")
    stream = adt_stream(numbers, count=MESSAGES, seed=1, prefix="B")
    listener = Listener(data)
    acked, latencies = [], []
    cpu, started = listener.cpu_seconds(), perf_counter()
    send(listener.address, stream, 0, acked, latencies)
    seconds = perf_counter() - started
    cpu = listener.cpu_seconds() - cpu
    p50, p95 = (q * 1000 for q in quantiles(latencies, n=20)[9::9][:2])
    rate = len(acked) / seconds
    print(f"messages            {len(acked):,} acknowledged of {len(stream):,}")
    print(f"time                {seconds:.1f} s")
    print(f"messages/s          {rate:,.0f} (target ≥ 200: {'met' if rate >= 200 else 'NOT met'})")
    print(f"ack latency         p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"listener CPU        {cpu / len(acked) * 1000:.1f} ms a message")
    print(f"listener peak mem   {listener.peak_memory_mb():.0f} MB")
    # A second stream, killed with SIGKILL part-way and resent from the first message with
    # no acknowledgement, as an integration engine does.
    second = adt_stream(numbers, count=2000, seed=2, prefix="K")
    acked = []
    sender = threading.Thread(target=send, args=(listener.address, second, 0, acked))
    sender.start()
    while len(acked) < len(second) // 3:
        sender.join(0.005)
    listener.kill()
    sender.join()
    killed_at = len(acked)
    listener = Listener(data)
    send(listener.address, second, acked[-1] + 1, acked)
    listener.stop()
    kept, distinct = count(data)
    expected = len(stream) + len(second)
    print(
        f"kill -9             at message {killed_at:,} of {len(second):,}: "
        f"{expected - distinct} lost, {kept - distinct} doubled "
        f"({'nothing lost' if kept == distinct == expected else 'FAILED'})"
    )
    if kept != expected or distinct != expected or rate < 200:
        sys.exit(1)


if __name__ == "__main__":
    main()
