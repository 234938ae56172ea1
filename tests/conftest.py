import os

import pytest
from hypothesis import settings as hypothesis_settings

# CI fails on any skip not written down in tests/allowed_skips.txt.
from tests.skips import pytest_sessionstart, pytest_terminal_summary  # noqa: F401

# Property-based tests run the same examples every time in `make test` (a red CI run must
# mean a change broke something, not that a new random example was tried);
# HYPOTHESIS_PROFILE=explore searches afresh (bench/api_fuzz.py does).
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    """``JOINEDUP_TEST_CLOCK=2028-02-29T16:30`` runs the tests on that day (the clock
    ticks on from there): `make test` runs the date-sensitive suites on a fixed awkward day
    as well as today, so that no test passes only on the day it was written. Travel starts
    before anything else so that every clock (timers included) agrees."""
    clock = os.environ.get("JOINEDUP_TEST_CLOCK")
    if clock:
        import datetime as dt

        import time_machine

        moment = dt.datetime.fromisoformat(clock)
        if moment.tzinfo is None:
            from zoneinfo import ZoneInfo

            moment = moment.replace(tzinfo=ZoneInfo("Europe/London"))
        time_machine.travel(moment, tick=True).start()


def pytest_report_header(config):
    from django.conf import settings

    clock = os.environ.get("JOINEDUP_TEST_CLOCK")
    return [
        f"database: {settings.DATABASES['default']['ENGINE']}",
        f"clock: {clock or 'today'}",
    ]


# Playwright's sync API runs an event loop in the test thread; Django's ORM calls
# from the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_at_once():
    """Background jobs run as soon as the transaction that made them commits, in the test's
    own process, as ``JOINEDUP_JOBS_IMMEDIATE=1`` does (the worker itself is tested in
    tests/integration/jobs, in processes of its own)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the real hasher; tests use a fast one where the hash is not the point.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached figures (e.g. caseload counts) are keyed by ids a fresh test database reuses.
    from django.core.cache import cache

    from joinedup.directory import index
    from joinedup.ingest.queries import forget_hospitals

    cache.clear()
    index.forget()
    forget_hospitals()
    yield
    cache.clear()
    index.forget()
    forget_hospitals()


@pytest.fixture(autouse=True)
def _analytics_store_in_tmp(settings, tmp_path):
    # Each test gets its own analytics store, never the developer's var/.
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def world(db):
    from tests.factories import World

    return World()


@pytest.fixture
def membership_of():
    def get(user):
        return user.memberships.select_related("organisation").get()

    return get


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for every test that needs it (Java 17+: `make test` installs
    it)."""
    import shutil

    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17+: `make test` installs it")
    from joinedup.population.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()
