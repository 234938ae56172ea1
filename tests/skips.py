"""A skipped test is a test that did not run, so CI accepts only the skips written down in
``tests/allowed_skips.txt``, each with its reason; any other skip fails the run.

The check runs where the test report is written: in the one pytest process, or in the
controller of a parallel run (pytest-xdist sends every worker's reports there). It is on
when the ``CI`` environment variable is set (``.ci/run`` sets it); elsewhere, other skips
are listed after the test report but do not fail it, so that a machine without the
reference data beside the repository can still run the rest."""

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ALLOWED_SKIPS = Path(__file__).with_name("allowed_skips.txt")
_SESSION = pytest.StashKey()


@dataclass(frozen=True)
class AllowedSkip:
    nodeid: str  # an fnmatch pattern over test node ids
    reason: str  # words the skip's reason must contain
    why: str


def read_allowed(path: Path = ALLOWED_SKIPS) -> list[AllowedSkip]:
    """The allowed skips: one line each, ``node id pattern | reason | why``; lines that
    are blank or start with ``#`` are comments."""
    allowed = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [part.strip() for part in line.split(" | ")]
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{path.name} line {number}: expected 'node id | reason | why'")
        allowed.append(AllowedSkip(*parts))
    return allowed


def skip_reason(report) -> str:
    """The reason a skipped report gives (``Skipped: `` left off)."""
    longrepr = report.longrepr
    reason = str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def is_allowed(nodeid: str, reason: str, allowed: list[AllowedSkip]) -> bool:
    return any(fnmatch.fnmatchcase(nodeid, a.nodeid) and a.reason in reason for a in allowed)


def enforced() -> bool:
    """In CI (``CI`` set to anything but empty, 0, false or no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unlisted_skips(reports, allowed: list[AllowedSkip]) -> list[tuple[str, str]]:
    found = ((report.nodeid, skip_reason(report)) for report in reports)
    return sorted(
        {(nodeid, reason) for nodeid, reason in found if not is_allowed(nodeid, reason, allowed)}
    )


def pytest_sessionstart(session):
    session.config.stash[_SESSION] = session


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller decides
        return
    unlisted = unlisted_skips(terminalreporter.stats.get("skipped", []), read_allowed())
    if not unlisted:
        return
    if enforced():
        terminalreporter.section(f"skips not allowed ({ALLOWED_SKIPS.name})", red=True)
    else:
        terminalreporter.section(f"skips CI would not allow ({ALLOWED_SKIPS.name})", yellow=True)
    for nodeid, reason in unlisted:
        terminalreporter.line(f"{nodeid}: {reason}")
    if enforced():
        terminalreporter.line(
            "A test that did not run is not a pass: make it run, or add it to "
            f"tests/{ALLOWED_SKIPS.name} with the reason it may skip."
        )
        config.stash[_SESSION].exitstatus = pytest.ExitCode.TESTS_FAILED
