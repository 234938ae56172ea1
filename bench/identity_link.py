"""Linking agency extracts to the borough's person index, against the synthetic truth.

Run after bench/synth_load.py (it uses that database). Prints load and link times,
records/s, peak memory, precision, recall and F1 of automatic links, the review queue,
and the time to link an incremental extract of 10,000 records.
Targets (issue 4): precision ≥ 0.995 and recall ≥ 0.99; incremental 10k ≤ 30 s.
"""

import csv
import os
import shutil
import sys
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup import configure, peak_memory_mb  # noqa: E402

data = configure()
from django.conf import settings  # noqa: E402

from joinedup.core.models import Organisation  # noqa: E402
from joinedup.identity import actions  # noqa: E402
from joinedup.identity.models import AgencyLoad, Merge, ReviewItem, SourceRecord  # noqa: E402
from joinedup.people.models import Person  # noqa: E402
from joinedup.synth.agencies import AGENCIES, write_agency_extracts  # noqa: E402


def evaluate(truth: dict, out: Path) -> dict:
    actions.export_links(out)
    rows = list(csv.DictReader(out.open()))
    auto = [r for r in rows if r["band"] == "auto"]
    correct = sum(r["person_id"] == truth[(r["agency"], r["local_id"])] for r in auto)
    real = sum(1 for r in rows if truth[(r["agency"], r["local_id"])])
    precision, recall = correct / max(len(auto), 1), correct / max(real, 1)
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / max(precision + recall, 1e-9),
        "review": sum(r["band"] == "review" for r in rows),
        "records": len(rows),
    }


def full_run(residents: int) -> None:
    """Write, load and link every agency's extract from scratch."""
    for model in (ReviewItem, Merge, SourceRecord, AgencyLoad):
        model.objects.all().delete()
    shutil.rmtree(Path(settings.DATA_DIR) / "identity", ignore_errors=True)
    extracts = data / "agency-extracts"
    shutil.rmtree(extracts, ignore_errors=True)
    started = perf_counter()
    # BENCH_AGENCY_RECORDS sets the size of the agency extracts (issue 4's system-scale
    # target: 600,000 records against 2.4 million registrations).
    wanted = int(os.environ.get("BENCH_AGENCY_RECORDS", "0"))
    scale = wanted / (sum(a[1] for a in AGENCIES) * residents) if wanted else 1.0
    paths = write_agency_extracts(extracts, seed=7, scale=scale)
    print(f"index               {residents:,} people")
    print(f"extracts            {len(paths)} agencies written in {perf_counter() - started:.1f} s")
    started = perf_counter()
    for (kind, *_), path in zip(AGENCIES, paths, strict=True):
        agency = Organisation.objects.filter(type=kind).order_by("pk").first()
        actions.load_extract(by=None, agency=agency, path=path)
    records = SourceRecord.objects.count()
    load_seconds = perf_counter() - started
    print(
        f"load                {records:,} records in {load_seconds:.1f} s "
        f"({records / load_seconds:,.0f} records/s)"
    )
    started = perf_counter()
    report = actions.link(by=None)
    seconds = perf_counter() - started
    print(
        f"link                {seconds:.1f} s ({records / seconds:,.0f} records/s), "
        f"{report.deterministic:,} by NHS number, model {report.model}"
    )
    truth = {
        (r["agency"], r["local_id"]): r["person_id"]
        for r in csv.DictReader((extracts / "truth.csv").open())
    }
    result = evaluate(truth, data / "links.csv")
    print(
        f"accuracy            precision {result['precision']:.4f}   recall "
        f"{result['recall']:.4f}   F1 {result['f1']:.4f}   (targets ≥ 0.995, ≥ 0.99)"
    )
    print(f"review queue        {result['review']:,} records")
    print(f"link steps          {report.steps}")


def incremental(residents: int, seed: int) -> None:
    """10,000 more records from the acute trust, linked against the existing index and
    model (BENCH_INCREMENTAL_ONLY=1 runs just this, on the database left by a full run)."""
    more = data / "agency-extracts-2"
    shutil.rmtree(more, ignore_errors=True)
    write_agency_extracts(more, seed=seed, scale=10_000 / (0.30 * residents))
    agency = Organisation.objects.filter(type=AGENCIES[0][0]).order_by("pk").first()
    path = more / f"{AGENCIES[0][0]}.csv"
    lines = path.read_text().splitlines()
    path.write_text(
        "\n".join([lines[0]] + [line.replace(",", f"-S{seed},", 1) for line in lines[1:]])
    )
    new_truth = {}
    for r in csv.DictReader((more / "truth.csv").open()):
        new_truth[(r["agency"], r["local_id"] + f"-S{seed}")] = r["person_id"]
    started = perf_counter()
    load = actions.load_extract(by=None, agency=agency, path=path)
    report = actions.link(by=None)
    seconds = perf_counter() - started
    print(
        f"incremental         {load.kept:,} new records loaded and linked in {seconds:.1f} s "
        f"(target ≤ 30 s for 10,000), no retraining: model {report.model}"
    )


if __name__ == "__main__":
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    residents = Person.objects.count()
    if not residents:
        sys.exit("Run bench/synth_load.py first")
    if os.environ.get("BENCH_INCREMENTAL_ONLY"):
        seed = 100 + AgencyLoad.objects.count()
    else:
        full_run(residents)
        seed = 8
    incremental(residents, seed)
    print(f"peak memory         {peak_memory_mb():,.0f} MB")
