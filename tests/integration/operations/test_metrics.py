"""``/metrics`` gives operators Prometheus's text format: requests by view, method and
status, their latency, and runs in progress read from the database. It answers only the
server itself (with no proxy in between) or a caller with the metrics token."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def samples(text: str) -> dict:
    """{(name, frozenset(labels)): value} for every sample."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_requests_are_counted_by_view_method_and_status(db, client):
    def count(view, status):
        got = samples(client.get("/metrics").content.decode())
        labels = frozenset({"view": view, "method": "GET", "status": status}.items())
        return got.get(("joinedup_http_requests_total", labels), 0)

    before_ok, before_missing = count("health", "200"), count("unmatched", "404")
    client.get("/health")
    client.get("/health")
    client.get("/no-such-page")
    assert count("health", "200") == before_ok + 2
    assert count("unmatched", "404") == before_missing + 1
    text = client.get("/metrics").content.decode()
    assert (
        'joinedup_http_request_duration_seconds_bucket{le="0.1",method="GET",view="health"}' in text
    )
    assert "# TYPE joinedup_http_request_duration_seconds histogram" in text


def test_runs_in_progress_come_from_the_database(db, client, world):
    from datetime import UTC, datetime

    from joinedup.population.models import PopulationRun

    got = samples(client.get("/metrics").content.decode())
    assert got[("joinedup_runs_in_progress", frozenset({"kind": "selection"}.items()))] == 0
    PopulationRun.objects.create(started_at=datetime(2026, 1, 5, tzinfo=UTC),
                                 as_of="2026-01-05", engine="duckdb")  # fmt: skip
    got = samples(client.get("/metrics").content.decode())
    assert got[("joinedup_runs_in_progress", frozenset({"kind": "population"}.items()))] == 1
    # Background jobs waiting (due now or retrying later).
    assert got[("joinedup_job_queue_depth", frozenset())] == 0
    from joinedup.jobs.models import Job

    Job.objects.create(kind="mail.send", label="x", run_after=datetime(2026, 1, 5, tzinfo=UTC),
                       created_at=datetime(2026, 1, 5, tzinfo=UTC))  # fmt: skip
    got = samples(client.get("/metrics").content.decode())
    assert got[("joinedup_job_queue_depth", frozenset())] == 1


def test_the_server_itself_may_ask(db, client):
    answer = client.get("/metrics", REMOTE_ADDR="::1")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain; version=0.0.4")


@pytest.mark.parametrize(
    "how",
    [
        OUTSIDE,
        # A proxy on the same machine makes everyone look local: it is not trusted.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.9"},
        {"REMOTE_ADDR": "10.0.0.5"},  # the private network is not the server itself
    ],
)
def test_anyone_else_is_refused(db, client, how):
    answer = client.get("/metrics", **how)
    assert answer.status_code == 403
    assert b"joinedup_http_requests" not in answer.content


def test_a_signed_in_user_is_refused_too(db, client, world):
    from joinedup.core.models import Role

    client.force_login(world.user(Role.SYSTEM_ADMIN, world.practice_a))
    assert client.get("/metrics", **OUTSIDE).status_code == 403


def test_the_token_lets_prometheus_in_from_elsewhere(db, client, settings):
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    right = {"Authorization": "Bearer scrape-token-0123456789"}
    assert client.get("/metrics", headers=right, **OUTSIDE).status_code == 200
    for wrong in ("Bearer scrape-token-000", "scrape-token-0123456789", "Bearer ", ""):
        answer = client.get("/metrics", headers={"Authorization": wrong}, **OUTSIDE)
        assert answer.status_code == 403, wrong


def test_no_token_set_means_no_token_works(db, client, settings):
    settings.METRICS_TOKEN = ""
    answer = client.get("/metrics", headers={"Authorization": "Bearer "}, **OUTSIDE)
    assert answer.status_code == 403


def test_without_the_database_the_request_counts_still_answer(db, client, monkeypatch):
    from django.db import DatabaseError

    from joinedup.engagement.models import SelectionRun

    def unreachable(*args, **kwargs):
        raise DatabaseError("connection refused")

    client.get("/health")
    monkeypatch.setattr(SelectionRun.objects, "filter", unreachable)
    answer = client.get("/metrics")
    assert answer.status_code == 200
    got = samples(answer.content.decode())
    assert any(name == "joinedup_http_requests_total" for name, _ in got)
    assert not any(name == "joinedup_runs_in_progress" for name, _ in got)
