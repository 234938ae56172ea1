"""API fuzzing with Schemathesis: every operation of the FHIR, Open Referral and staff APIs,
from their own OpenAPI documents, with generated (valid and invalid) parameters and
bodies — no server errors, responses that match their schemas, and the FHIR API refuses
anyone without a token. A bounded number of cases per operation runs here; the benchmark
bench/api_fuzz.py runs many more."""

import json
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CASES = int(os.environ.get("JOINEDUP_FUZZ_CASES", "10"))
app = get_wsgi_application()
fhir = schemathesis.openapi.from_wsgi("/fhir/openapi.json", app)
oruk = schemathesis.openapi.from_wsgi("/oruk/openapi.json", app)
staff = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
FUZZ = settings(max_examples=CASES, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the WSGI application directly, and Django closes the database
    connection at the end of each request — on PostgreSQL, the test's own. Django's test
    client turns that off the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    """A GP's token, with a resident registered at their practice who has a plan."""
    from joinedup.care import actions as care
    from joinedup.core.actions import create_api_token
    from joinedup.core.models import Membership, Role
    from tests.factories import World

    world = World()
    gp = world.user(Role.GP, world.practice_a)
    membership = Membership.objects.get(user=gp)
    person = world.person()
    plan = care.start_plan(by=gp, membership=membership, person=person)
    care.save_goal(by=gp, membership=membership, plan=plan, base_version=1, data={"text": "Walk"})
    return create_api_token(by=None, user=gp, organisation=world.practice_a)


# Every answer is one the document lists, of its media type, shape and headers.
CONFORMS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _call_with_token(case, token, checks=(not_a_server_error, response_schema_conformance)):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=list(checks))


@fhir.parametrize()
@FUZZ
def test_fhir_api(case, token):
    _call_with_token(case, token, CONFORMS)


@fhir.parametrize()
@FUZZ
def test_fhir_api_without_a_token(case, db):
    response = case.call()
    case.validate_response(response, checks=CONFORMS)
    if case.path != "/fhir/metadata":
        # Refused: no token (401), or a method the operation does not have (405).
        assert response.status_code in (401, 405), (case.method, case.path, response.status_code)


@pytest.fixture
def directory(world):
    """A small directory, so that the lists have records in them to check."""
    from joinedup.directory import actions
    from joinedup.synth.directory import directory_feed

    feed = directory_feed(services=12, seed=2)
    actions.import_feed(by=None, source="demo", data=json.dumps(feed).encode())


@oruk.parametrize()
@FUZZ
def test_open_referral_api(case, directory):
    # Every operation says what it answers, so the conformance check has something to check.
    documented = case.operation.definition.raw["responses"]
    assert documented["200"]["content"]["application/json"]["schema"], case.path
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])


@staff.parametrize()
@FUZZ
def test_staff_api(case, token):
    _call_with_token(case, token)
    assert case.call().status_code in (401, 405)  # and nothing without the token
