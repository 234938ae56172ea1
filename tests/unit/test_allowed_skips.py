"""CI fails on any skip not on tests/allowed_skips.txt (tests/skips.py), in one process
and in a parallel run."""

import fnmatch
import os
import subprocess
import sys
from pathlib import Path

from tests.skips import ALLOWED_SKIPS, is_allowed, read_allowed

REPOSITORY = Path(__file__).resolve().parents[2]

ALLOWED_TEST = """
import pytest

def test_runs_elsewhere():
    pytest.skip("runs in the SQLite pass")
"""

UNLISTED_TEST = """
import pytest

def test_runs():
    pass

def test_quietly_not_run():
    pytest.skip("the data is not here")
"""


def test_the_list_reads_and_names_tests_that_exist():
    allowed = read_allowed()
    assert allowed, "the list is empty: then say so by removing the check"
    for entry in allowed:
        path = entry.nodeid.split("::")[0]
        matches = [p for p in REPOSITORY.glob("tests/**/*.py") if fnmatch.fnmatchcase(
            p.relative_to(REPOSITORY).as_posix(), path)]  # fmt: skip
        assert matches, f"{ALLOWED_SKIPS.name}: no test file matches {entry.nodeid}"
    assert len(allowed) <= 10, "the list is meant to stay short"


def test_a_skip_is_allowed_by_its_test_and_its_reason():
    allowed = read_allowed()
    audit = "tests/integration/test_dependency_audit.py::test_no_known_vulnerabilities[python]"
    assert is_allowed(audit, "no advisory data could be had, so nothing is known: x", allowed)
    assert not is_allowed(audit, "something else", allowed)
    sortition = "tests/integration/test_crash_safety.py::test_a_sortition_run_killed_while_writing"
    assert is_allowed(sortition, "runs in the SQLite pass", allowed)
    # The reference data must be there in CI, even for a test that may skip on PostgreSQL.
    assert not is_allowed(sortition, "reference data absent: /x/sortition is not here", allowed)


def _pytest(folder: Path, *args: str, ci: bool):
    (folder / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "DJANGO_SETTINGS_MODULE")}
    env["PYTHONPATH"] = str(REPOSITORY)
    if ci:
        env["CI"] = "true"
    plugins = ["-p", "no:cacheprovider", "-p", "no:django", "-p", "no:locust", "-p", "tests.skips"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _tests(folder: Path, *, unlisted: bool):
    # A test at the path of one on the list (its skip is allowed), and perhaps another.
    (folder / "tests" / "integration").mkdir(parents=True)
    (folder / "tests" / "integration" / "test_logs.py").write_text(ALLOWED_TEST)
    if unlisted:
        (folder / "tests" / "test_other.py").write_text(UNLISTED_TEST)


def test_ci_fails_on_a_skip_not_on_the_list_in_a_parallel_run(tmp_path):
    _tests(tmp_path, unlisted=True)
    run = _pytest(tmp_path, "-n", "2", ci=True)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "tests/test_other.py::test_quietly_not_run: the data is not here" in run.stdout
    assert "test_runs_elsewhere" not in run.stdout.split("skips not allowed")[1]
    assert "1 passed, 2 skipped" in run.stdout


def test_ci_passes_with_only_allowed_skips(tmp_path):
    _tests(tmp_path, unlisted=False)
    run = _pytest(tmp_path, "-n", "2", ci=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "skips not allowed" not in run.stdout


def test_outside_ci_other_skips_are_listed_but_do_not_fail(tmp_path):
    _tests(tmp_path, unlisted=True)
    run = _pytest(tmp_path, ci=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "skips CI would not allow" in run.stdout
    assert "tests/test_other.py::test_quietly_not_run" in run.stdout
