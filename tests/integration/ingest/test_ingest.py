import csv
import json
import shutil
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from joinedup.ingest import actions
from joinedup.ingest.models import ImportRun
from joinedup.population.actions import import_codelists, run_population
from joinedup.population.models import PersonProfile
from joinedup.population.store import AnalyticsStore
from joinedup.synth.clinical import STARTER_CODELISTS


def quarantined(run):
    with open(run.quarantine_report, encoding="utf-8") as f:
        return [(r["entry_or_row"], r["field"], r["reason"]) for r in csv.DictReader(f)]


def test_csv_events_keep_the_good_and_name_every_bad_row(world, tmp_path):
    person = world.person()
    n = person.nhs_number
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    path = tmp_path / "extract.csv"
    path.write_text(
        "nhs_number,system,code,date,value,unit\n"
        f"{n},http://snomed.info/sct,38341003,2020-01-01,,\n"  # good
        f"{n},snomed,60621009,2021-05-01,27.5,kg/m2\n"  # good, with a value
        f",snomed,38341003,2020-01-01,,\n"  # row 4: no identifier
        f"9434765910,snomed,38341003,2020-01-01,,\n"  # row 5: bad check digit
        f"{n},ICD-10,I10,2020-01-01,,\n"  # row 6: unknown code system
        f"{n},snomed,38341004,2020-01-01,,\n"  # row 7: bad SNOMED check digit
        f"{n},snomed,38341003,2020-02-30,,\n"  # row 8: impossible date
        f"{n},snomed,38341003,{tomorrow},,\n"  # row 9: future date
        f"{n},snomed,38341003,1940-01-01,,\n"  # row 10: before birth (born 1950)
        f"{n},snomed,60621009,2021-05-01,heavy,kg\n"  # row 11: value not a number
        f"{n},snomed\n"  # row 12: short row
        "9990000018,snomed,38341003,2020-01-01,,\n"  # row 13: nobody has it
    )
    report = actions.import_events_csv(by=None, path=path)
    run = report.run
    assert (run.records_read, run.records_kept, run.records_quarantined) == (12, 2, 10)
    bad = quarantined(run)
    assert [r[0] for r in bad] == [f"row {i}" for i in range(4, 14)]
    assert [r[1] for r in bad] == [
        "nhs_number",
        "nhs_number",
        "system",
        "code",
        "date",
        "date",
        "date",
        "value",
        "",
        "nhs_number",
    ]
    assert "in the future" in bad[5][2] and "before the person was born" in bad[6][2]
    assert n not in open(run.quarantine_report).read()  # NHS numbers are masked
    table = AnalyticsStore().event_files()
    assert len(table) == 1

    again = actions.import_events_csv(by=None, path=path)
    assert again.already_imported and ImportRun.objects.count() == 1
    assert len(AnalyticsStore().event_files()) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"nhs_number,system,code\n1,2,3\n", r"missing column\(s\) date"),
        ("nhs_number,system,code,date\n1,snomed,1,2020-01-01 é\n".encode("latin-1"), "not UTF-8"),
        (b"", "empty"),
    ],
)
def test_unreadable_csv_is_refused_whole(world, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        actions.import_events_csv(by=None, path=path)
    assert not ImportRun.objects.exists() and not AnalyticsStore().event_files()


def bundle(entries, kind="collection"):
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def patient(url, nhs):
    return {
        "fullUrl": url,
        "resource": {
            "resourceType": "Patient",
            "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs}],
            "birthDate": "1950-01-02",
        },
    }


def condition(ref, code="38341003", system="http://snomed.info/sct", when="2020-01-01"):
    return {
        "resource": {
            "resourceType": "Condition",
            "subject": {"reference": ref},
            "code": {"coding": [{"system": system, "code": code}]},
            "onsetDateTime": when,
        }
    }


def test_fhir_bundles_of_every_type_with_bad_entries_quarantined(world, tmp_path):
    person = world.person()
    folder = tmp_path / "bundles"
    folder.mkdir()
    good = [
        patient("urn:uuid:p1", person.nhs_number),
        condition("urn:uuid:p1"),
        {"resource": {"resourceType": "Practitioner", "name": [{"family": "Who"}]}},
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "subject": {"reference": "urn:uuid:p1"},
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "60621009"}]},
                "effectiveDateTime": "2021-01-01",
                "valueQuantity": {"value": 31.2, "unit": "kg/m2"},
            }
        },
    ]
    bad = [
        condition("urn:uuid:p1", system="http://hl7.org/fhir/sid/icd-10", code="I10"),  # 4
        condition("urn:uuid:p1", when="2020-13-40"),  # 5 impossible date
        condition("urn:uuid:p1", when=(date.today() + timedelta(days=3)).isoformat()),  # 6
        condition("urn:uuid:nobody"),  # 7 reference not in bundle
        {"resource": {"resourceType": "Condition", "subject": "not a reference"}},  # 8
    ]
    (folder / "a.json").write_text(json.dumps(bundle(good + bad, "transaction")))
    (folder / "b.json").write_text(
        json.dumps(
            bundle([patient("urn:uuid:p2", "9990000018"), condition("urn:uuid:p2")], "searchset")
        )
    )
    (folder / "c.json").write_text("{not json")
    (folder / "d.json").write_bytes(json.dumps(bundle([])).encode("utf-16"))
    (folder / "e.json").write_text(json.dumps({"resourceType": "Patient"}))
    (folder / "f.json").write_text(
        json.dumps(
            bundle(
                [
                    {"fullUrl": "urn:uuid:p3", "resource": {"resourceType": "Patient"}},
                    condition("urn:uuid:p3"),
                ],
                "batch",
            )
        )
    )
    run = actions.import_fhir(by=None, path=folder).run
    assert run.records_kept == 2
    assert run.resources_skipped == {"Practitioner": 1}
    bad_rows = quarantined(run)
    reasons = {(r[0], r[1]): r[2] for r in bad_rows}
    assert "no SNOMED CT or dm+d coding" in reasons[("entry 4", "code")]
    assert "not valid FHIR R4 Condition" in reasons[("entry 5", "onsetDateTime")]
    assert "in the future" in reasons[("entry 6", "date")]
    assert "not in this bundle" in reasons[("entry 7", "subject")]
    assert "not valid FHIR R4 Condition" in reasons[("entry 8", "subject")]
    files = {r[0] for r in bad_rows} | {f for f, *_ in csv.reader(open(run.quarantine_report))}
    assert {"b.json", "c.json", "d.json", "e.json", "f.json"} <= files
    text = open(run.quarantine_report, encoding="utf-8").read()
    assert "malformed JSON" in text and "not UTF-8" in text and "not a FHIR Bundle" in text
    assert "no resident has this NHS number" in text and "no NHS number identifier" in text


def test_fhir_round_trip_gives_the_same_population(db, tmp_path):
    """Synthetic records → FHIR bundles → import → the same registers and scores."""
    call_command("synth", "--residents", "250", "--seed", "8", "--fhir", str(tmp_path / "b"))
    run_population(by=None)
    before = {
        p.person_id: (p.conditions, p.ltc_count, p.cms, p.efi)
        for p in PersonProfile.objects.filter(run__current=True)
    }
    store = AnalyticsStore()
    shutil.rmtree(store.events_dir)
    call_command("ingest", "fhir", str(tmp_path / "b"))
    run = ImportRun.objects.get()
    assert run.records_quarantined == 0
    run_population(by=None)
    after = {
        p.person_id: (p.conditions, p.ltc_count, p.cms, p.efi)
        for p in PersonProfile.objects.filter(run__current=True)
    }
    assert after == before and len(after) > 200


def test_ingest_command_errors(db, tmp_path):
    import_codelists(by=None, folder=STARTER_CODELISTS)
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest", "events", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="no .json bundles"):
        call_command("ingest", "fhir", str(tmp_path))


def test_big_extracts_are_written_in_parts_and_only_whole(world, tmp_path, monkeypatch):
    import functools

    from joinedup.ingest import records

    person = world.person()
    rows = "".join(f"{person.nhs_number},snomed,38341003,2020-01-{d:02d}\n" for d in range(1, 11))
    path = tmp_path / "big.csv"
    path.write_text("nhs_number,system,code,date\n" + rows)
    monkeypatch.setattr(
        actions.extracts, "EventBuffer", functools.partial(records.EventBuffer, limit=3)
    )
    run = actions.import_events_csv(by=None, path=path).run
    files = AnalyticsStore().event_files()
    assert run.records_kept == 10 and len(files) == 4
    assert {f.parent.name for f in files} == {run.batch}

    # A failure part-way (here: a broken row that stops the reader) leaves nothing visible.
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"nhs_number,system,code,date\n" + rows.encode() * 2 + b"\xff\xfe,\n")
    with pytest.raises(ValidationError, match="not UTF-8"):
        actions.import_events_csv(by=None, path=broken)
    assert AnalyticsStore().event_files() == files
    assert not any((AnalyticsStore().root / "incoming").iterdir())
