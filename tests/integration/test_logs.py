"""Logs never hold patient-level data: the production server (gunicorn, as `joinedup
serve` runs it) is driven through searches by NHS number, name and date of birth, record
views, refusals, bad input and missing pages, at the most verbose log level; then every
line it wrote is searched for any resident's NHS number, name or date of birth.

The server logs as `joinedup serve` does by default: one JSON object per line, each
request's own line with its id (the one the client sent, when well formed), and every
other line written during the request with the same id."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the server is another process
    # The server gets a database of its own (SQLite), so one run covers both passes of CI.
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs in the SQLite pass"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sign_in(session: requests.Session, base: str, username: str, password: str) -> None:
    page = session.get(f"{base}/sign-in").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    answer = session.post(
        f"{base}/sign-in",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": f"{base}/sign-in"},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]


def _drive(base: str, people: list[list[str]]) -> dict:
    """Searches, record views, refusals and bad input, as a GP; the ids of two requests."""
    session = requests.Session()
    _sign_in(session, base, "gp.a", "joinedup-demo-2026")
    sent = session.get(f"{base}/people/", params={"q": people[0][1]},
                       headers={"X-Request-ID": "log-test-0001"})  # fmt: skip
    assert sent.headers["X-Request-ID"] == "log-test-0001"
    refused = session.get(f"{base}/care/people/99999999/plan/")
    for pk, nhs, given, family, born in people[:25]:
        year, month, day = born.split("-")
        session.get(f"{base}/people/", params={"q": nhs})
        by_name = {"q": f"{given} {family}", "dob-day": day, "dob-month": month,
                   "dob-year": year}  # fmt: skip
        session.get(f"{base}/people/", params=by_name)
        session.get(f"{base}/people/{pk}/")
        session.get(f"{base}/care/people/{pk}/plan/")
        session.get(f"{base}/people/", params={"q": f"{nhs[:9]}0"})  # a bad check digit
        session.get(f"{base}/care/people/99999999/plan/")  # a refusal
    requests.post(f"{base}/sign-in", data={"username": people[0][1], "password": "x"})
    metrics = requests.get(f"{base}/metrics", timeout=30)  # from the server's own machine
    assert metrics.status_code == 200
    return {"sent": "log-test-0001", "refused": refused.headers["X-Request-ID"],
            "metrics": metrics.text}  # fmt: skip


def _serve(joinedup: list[str], env: dict, log: Path, people) -> dict:
    port = _free_port()
    with open(log, "w") as out:
        server = subprocess.Popen(
            [*joinedup, "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/health", timeout=5).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        return _drive(base, people)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _leaks(text: str, people) -> list[str]:
    leaks = []
    for _, nhs, given, family, born in people:
        for value in (nhs, f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}", f"{given} {family}", born):
            if value in text:
                leaks.append(value)
    return leaks


def test_logs_never_hold_patient_data(tmp_path: Path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "JOINEDUP_LOG_FORMAT")
    }
    env.update({"JOINEDUP_DATA_DIR": str(tmp_path), "JOINEDUP_LOG_LEVEL": "DEBUG",
                "WEB_CONCURRENCY": "1"})  # fmt: skip
    joinedup = [sys.executable, "-m", "joinedup.cli"]
    run = dict(env=env, capture_output=True, text=True, timeout=600)
    assert subprocess.run([*joinedup, "migrate", "--no-input"], **run).returncode == 0
    synth = subprocess.run([*joinedup, "synth", "--residents", "300", "--seed", "9"], **run)
    assert synth.returncode == 0, synth.stderr
    residents = subprocess.run(
        [*joinedup, "shell", "-c",
         "from joinedup.people.models import Person\n"
         "for p in Person.objects.all()[:300]:\n"
         "    print(p.pk, p.nhs_number, p.given_name, p.family_name, p.birth_date, sep='|')"],
        **run,
    ).stdout.split("\n")  # fmt: skip
    people = [line.split("|") for line in residents if line.count("|") == 4]
    assert len(people) >= 100

    # JSON, as `joinedup serve` logs by default.
    log = tmp_path / "server.log"
    ids = _serve(joinedup, env, log, people)
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    requests_logged = [x for x in lines if x["logger"] == "joinedup.request"]
    assert any(x["path"] == "/people/" for x in requests_logged)  # the access log was written
    (searched,) = [x for x in requests_logged if x["request_id"] == ids["sent"]]
    assert (searched["method"], searched["path"], searched["status"]) == ("GET", "/people/", 200)
    # Django's own warning about the refusal carries the id the refusal was answered with.
    refusal = [x for x in lines if x["request_id"] == ids["refused"]]
    assert {x["logger"] for x in refusal} >= {"joinedup.request", "django.request"}, refusal
    assert not _leaks(text, people), f"patient data in the logs: {_leaks(text, people)[:10]}"
    # The workers' counts reach /metrics (prometheus_client's multiprocess mode), which
    # holds no patient data either.
    searches = 'joinedup_http_requests_total{method="GET",status="200",view="people:search"}'
    (count,) = [line for line in ids["metrics"].splitlines() if line.startswith(searches)]
    assert float(count.split()[-1]) >= 76
    assert not _leaks(ids["metrics"], people)

    # Plain text, for those who would rather read it.
    log = tmp_path / "server-text.log"
    ids = _serve(joinedup, {**env, "JOINEDUP_LOG_FORMAT": "text"}, log, people)
    text = log.read_text()
    assert '"GET /people/" 200' in text  # gunicorn's access log
    assert any(f"django.request [{ids['refused']}] Forbidden" in line for line in text.splitlines())
    assert not _leaks(text, people), f"patient data in the logs: {_leaks(text, people)[:10]}"
