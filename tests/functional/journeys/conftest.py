"""Journey tests: each role does its whole job on the demo borough, in Chromium.

``demo`` builds the borough as ``make demo`` does (at 1,000 residents, and one place
where ``make demo`` has three), through the same commands, so a journey test exercises
what a new user signs in to.
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from joinedup.synth.borough import DEMO_PASSWORD


class Demo:
    """The demo borough, built once per test (the database is emptied between tests)."""

    password = DEMO_PASSWORD

    def __init__(
        self,
        *,
        residents: int,
        care: bool,
        directory: bool,
        portal: bool,
        engagement: bool,
        agencies: Path | None = None,
    ):
        out = io.StringIO()
        # As `make demo`: with agencies, five agencies' extracts are written to that folder,
        # loaded and linked (some records then wait for match review).
        linking = ["--agencies", str(agencies), "--link-agencies"] if agencies else []
        call_command("synth", "--residents", str(residents), "--seed", "1", *linking, stdout=out)
        call_command("population", "run", stdout=out)
        call_command("care", "build-caseload", stdout=out)
        if care:
            call_command("demo", "care", stdout=out)
        if portal:
            call_command("demo", "portal", stdout=out)
        if directory:
            call_command("demo", "directory", stdout=out)
        if engagement:
            call_command("demo", "engagement", stdout=out)


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    """``demo(care=True, directory=True, portal=True, engagement=False, agencies=False)``
    builds the borough; call it at the start of the test. ``agencies=True`` also loads and
    links the agencies' person extracts, as ``make demo`` does (the match review queue
    fills only from a few thousand residents up)."""

    def build(
        *,
        residents: int = 1000,
        care: bool = True,
        directory: bool = True,
        portal: bool = True,
        engagement: bool = False,
        agencies: bool = False,
    ) -> Demo:
        return Demo(
            residents=residents,
            care=care,
            directory=directory,
            portal=portal,
            engagement=engagement,
            agencies=tmp_path / "agencies" if agencies else None,
        )

    return build
