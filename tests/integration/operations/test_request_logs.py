"""Every request has an id (the proxy's ``X-Request-ID`` if it is well formed, else a new
one), returned in the response and written on every log line made while it is served;
with ``JOINEDUP_LOG_FORMAT=json`` each line is one JSON object, and the request's own line
names its method, path (never the query string), status and duration."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings

from joinedup.core.models import Role
from joinedup.operations.logs import logging_config


@pytest.fixture
def json_lines():
    """The log as the JSON lines written so far (read by calling it)."""
    stream = io.StringIO()
    logging.config.dictConfig(logging_config(log_format="json", level="INFO", stream=stream))
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logging.config.dictConfig(settings.LOGGING)


def test_a_request_gets_an_id_and_gives_it_back(db, client):
    made = client.get("/health")["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/health")["X-Request-ID"]
    # The proxy's id is kept, so one request can be followed through both logs.
    kept = client.get("/health", headers={"X-Request-ID": "edge-4f0c-77aa"})
    assert kept["X-Request-ID"] == "edge-4f0c-77aa"


@pytest.mark.parametrize(
    "sent",
    [
        "short",  # too short to be unique
        "x" * 200,  # too long
        "has space in it",
        "line\nbreak",
        '{"json": 1}',
        "9434765919",  # digits alone could be an NHS number or a phone number
    ],
)
def test_a_malformed_request_id_is_replaced(db, client, sent):
    answer = client.get("/health", headers={"X-Request-ID": sent})
    assert answer["X-Request-ID"] != sent and len(answer["X-Request-ID"]) == 32


def test_json_lines_carry_the_request_id(db, client, world, json_lines):
    client.force_login(world.user(Role.GP, world.practice_a))
    answer = client.get(
        "/care/people/99999999/plan/", {"q": "9434765919"}, headers={"X-Request-ID": "req-12345678"}
    )
    assert answer.status_code == 403  # no relationship with this (missing) person
    lines = json_lines()
    assert lines, "nothing was logged"
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= line.keys(), line
    during = [line for line in lines if line["request_id"] == "req-12345678"]
    # Django's own warning about the refusal is written inside the request, with its id.
    assert any(line["logger"] == "django.request" for line in during), lines
    (request,) = [line for line in during if line["logger"] == "joinedup.request"]
    assert request["method"] == "GET" and request["path"] == "/care/people/99999999/plan/"
    assert request["status"] == 403 and request["level"] == "WARNING"
    assert isinstance(request["duration_ms"], float) and request["duration_ms"] >= 0
    assert request["view"] == "care:plan"
    assert "9434765919" not in json.dumps(lines)  # the query string is never logged


def test_lines_outside_a_request_have_no_id(json_lines):
    # A test client request whose view raised (re-raised into an earlier test) is never
    # "sent", so its id can outlive it in this thread; a server sends every response.
    from joinedup.operations import logs

    logs.request_id.set(None)
    logging.getLogger("joinedup.test").warning("a command's line")
    (line,) = [x for x in json_lines() if x["logger"] == "joinedup.test"]
    assert line["request_id"] is None and line["message"] == "a command's line"
    assert line["level"] == "WARNING" and line["time"].endswith("Z")


def test_an_exception_is_one_line(json_lines):
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("joinedup.test").exception("it broke")
    (line,) = [x for x in json_lines() if x["logger"] == "joinedup.test"]
    assert "ValueError: broken" in line["exception"]


def test_lines_written_after_the_middleware_have_the_id_too(db, client, json_lines, monkeypatch):
    """Django logs a response of 400 or more after every middleware has returned."""
    from joinedup.operations import health

    def failing():
        raise health.CheckFailed("down")

    monkeypatch.setitem(health.CHECKS, "job_queue", failing)
    assert client.get("/health", headers={"X-Request-ID": "req-87654321"}).status_code == 503
    (django_line,) = [x for x in json_lines() if x["logger"] == "django.request"]
    assert django_line["request_id"] == "req-87654321"
    # and the next line outside a request has none
    logging.getLogger("joinedup.test").warning("after")
    assert json_lines()[-1]["request_id"] is None
