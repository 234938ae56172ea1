"""Crash-safe long jobs: an import, a linkage run, a population run and a sortition run are
each killed with SIGKILL (as ``kill -9`` would) at the worst moment — between writing their
data and recording it, or half-way through saving (core/faults.py) — then run again. In
between, nothing partial is visible; afterwards, the results are identical to a run that
was never interrupted.

The jobs run as the command line runs them, in processes of their own, on an SQLite
database in a data directory made for the test."""

import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.reference_data import SORTITION as SHARED
from tests.reference_data import require

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The jobs get databases of their own (SQLite), so one run covers both passes of CI.
    pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs in the SQLite pass"),
]
KILLED = -signal.SIGKILL


def joinedup(data_dir: Path, *args: str, crash: str | None = None):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["JOINEDUP_DATA_DIR"] = str(data_dir)
    if crash:
        env["JOINEDUP_CRASH_AT"] = crash
    return subprocess.run(
        [sys.executable, "-m", "joinedup.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def ok(done) -> None:
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def query(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "joinedup.sqlite3") as db:
        return db.execute(sql).fetchall()


def events(data_dir: Path) -> list[tuple]:
    """Every event in the analytics store, sorted (batches other than the synthetic one)."""
    rows = []
    for path in sorted((data_dir / "analytics" / "events").glob("fhir-*/*.parquet")):
        rows += [tuple(r.values()) for r in pq.read_table(path).to_pylist()]
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def borough(tmp_path_factory) -> Path:
    """A small borough with agency extracts loaded (not linked) and FHIR bundles written."""
    base = tmp_path_factory.mktemp("borough")
    data = base / "data"
    ok(joinedup(data, "migrate", "--no-input"))
    ok(joinedup(data, "synth", "--residents", "200", "--seed", "2",
                "--agencies", str(base / "agencies"), "--fhir", str(base / "fhir")))  # fmt: skip
    for kind, agency in (("acute_trust", "RZ1"), ("adult_social_care", "ZC101")):
        ok(joinedup(data, "identity", "load", "--agency", agency,
                    str(base / "agencies" / f"{kind}.csv")))  # fmt: skip
    ok(joinedup(data, "population", "run"))  # a first run, for the second to replace
    return base


def copy(borough: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(borough / "data", target)
    return target


def test_an_import_killed_before_and_after_its_batch(borough, tmp_path):
    clean, crashed = copy(borough, tmp_path, "clean"), copy(borough, tmp_path, "crashed")
    bundles = str(borough / "fhir")
    ok(joinedup(clean, "ingest", "fhir", bundles))
    assert (
        joinedup(crashed, "ingest", "fhir", bundles, crash="ingest.before-batch").returncode
        == KILLED
    )
    assert events(crashed) == [] and query(crashed, "SELECT count(*) FROM ingest_importrun") == [
        (0,)
    ]
    assert (
        joinedup(crashed, "ingest", "fhir", bundles, crash="ingest.after-batch").returncode
        == KILLED
    )
    # The batch is in place whole (never part of it), though not yet recorded.
    assert events(crashed) == events(clean)
    assert query(crashed, "SELECT count(*) FROM ingest_importrun") == [(0,)]
    ok(joinedup(crashed, "ingest", "fhir", bundles))
    assert events(crashed) == events(clean) and len(events(clean)) > 500
    facts = (
        "SELECT kind, sha256, records_read, records_kept, records_quarantined FROM ingest_importrun"
    )
    assert query(crashed, facts) == query(clean, facts)


def test_a_population_run_killed_while_saving(borough, tmp_path):
    clean, crashed = copy(borough, tmp_path, "clean"), copy(borough, tmp_path, "crashed")
    profiles = (
        "SELECT p.person_id, p.conditions, p.ltc_count, p.cms, p.efi, p.efi_band "
        "FROM population_personprofile p JOIN population_populationrun r ON p.run_id = r.id "
        "WHERE r.current ORDER BY p.person_id"
    )
    before = query(crashed, profiles)
    first_run = query(crashed, "SELECT id FROM population_populationrun WHERE current")
    ok(joinedup(clean, "population", "run"))
    assert joinedup(crashed, "population", "run", crash="population.saving").returncode == KILLED
    # The previous run is still the current one, whole.
    assert query(crashed, "SELECT id FROM population_populationrun WHERE current") == first_run
    assert query(crashed, profiles) == before and len(before) > 150
    ok(joinedup(crashed, "population", "run"))
    assert query(crashed, profiles) == query(clean, profiles)


def test_a_linkage_run_killed_while_saving(borough, tmp_path):
    clean, crashed = copy(borough, tmp_path, "clean"), copy(borough, tmp_path, "crashed")
    links = (
        "SELECT local_id, person_id, band, round(match_probability, 9) "
        "FROM identity_sourcerecord ORDER BY agency_id, local_id"
    )
    before = query(crashed, links)
    ok(joinedup(clean, "identity", "link"))
    assert joinedup(crashed, "identity", "link", crash="identity.saving").returncode == KILLED
    assert query(crashed, links) == before  # no record linked
    ok(joinedup(crashed, "identity", "link"))
    assert query(crashed, links) == query(clean, links)
    assert sum(1 for row in query(clean, links) if row[2] == "auto") > 50


def test_a_sortition_run_killed_while_writing(borough, tmp_path):
    data = borough / "data"
    categories, respondents = (
        SHARED / "example_small_20" / "categories.csv",
        SHARED / "example_small_20" / "respondents.csv",
    )
    require(categories.parent)
    args = ["engagement", "select", "--categories", str(categories), "--respondents",
            str(respondents), "--size", "20"]  # fmt: skip
    clean, out = tmp_path / "clean", tmp_path / "out"
    ok(joinedup(data, *args, "--seed", "7", "--out", str(clean)))
    ok(joinedup(data, *args, "--seed", "1", "--out", str(out)))  # an earlier result
    earlier = {p.name: p.read_bytes() for p in out.iterdir()}
    done = joinedup(data, *args, "--seed", "7", "--out", str(out), crash="sortition.writing")
    assert done.returncode == KILLED
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier  # untouched, whole
    ok(joinedup(data, *args, "--seed", "7", "--out", str(out)))
    for name in ("probabilities.csv", "panel.csv"):
        assert (out / name).read_text() == (clean / name).read_text()
    assert len(list(csv.reader(open(out / "panel.csv")))) == 21
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing left over
