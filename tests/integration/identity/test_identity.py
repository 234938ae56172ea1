import csv
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from joinedup.core.jinja_env import nhs_date
from joinedup.core.models import AuditEvent, Role
from joinedup.identity import actions
from joinedup.identity.models import Band, ReviewItem, SourceRecord

HEADER = "local_id,nhs_number,given_name,family_name,date_of_birth,sex,postcode,address\n"


def write(tmp_path, body, name="extract.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def test_load_keeps_records_as_sent_flags_and_quarantines(world, tmp_path):
    path = write(
        tmp_path,
        "A1,9434765919,Ada,Lovelace,1950-01-02,F,ju1 1aa,1 Road\n"
        "A2,1234567890,Bob,Smith,02/03/1960,M,NOT A POSTCODE,\n"  # invalid NHS number, postcode
        "A3,,,,31/02/1970,,,\n"  # impossible date
        "A4,,Cy,Young,2999-01-01,,,\n"  # future
        ",,No,Id,,,,\n"  # no local id
        "A6,,Di,Prince,,U,,\n",
    )
    load = actions.load_extract(by=None, agency=world.icb, path=path)
    assert (load.rows, load.kept, load.quarantined) == (6, 3, 3)
    a1, a2, a6 = (SourceRecord.objects.get(local_id=x) for x in ("A1", "A2", "A6"))
    assert a1.nhs_number_verified and a1.postcode == "JU1 1AA" and a1.postcode_valid
    assert not a2.nhs_number_verified and a2.nhs_number == "1234567890"
    assert a2.postcode == "NOT A POSTCODE" and not a2.postcode_valid
    assert a2.birth_date == date(1960, 3, 2) and a6.sex == "unknown"
    report = list(csv.reader(open(load.quarantine_report)))
    assert [r[1:3] for r in report[1:]] == [
        ["4", "date_of_birth"],
        ["5", "date_of_birth"],
        ["6", "local_id"],
    ]
    # The same file again changes nothing; a changed record becomes a new version.
    assert actions.load_extract(by=None, agency=world.icb, path=path).pk == load.pk
    changed = write(tmp_path, "A1,9434765919,Ada,King,1950-01-02,F,JU1 1AA,1 Road\n", "v2.csv")
    actions.load_extract(by=None, agency=world.icb, path=changed)
    versions = SourceRecord.objects.filter(local_id="A1").order_by("pk")
    assert [(v.family_name, v.current) for v in versions] == [("Lovelace", False), ("King", True)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("local_id,given_name\nA1,Ada\n", r"missing column\(s\) nhs_number"),
        ("", "empty"),
        (HEADER, "no records"),
        (HEADER + "A1,,Ada,L,,,,\nA1,,Bo,M,,,,\n", "row 3, field local_id: 'A1' is also on row 2"),
    ],
)
def test_bad_extracts_are_refused_whole(world, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ValidationError, match=message):
        actions.load_extract(by=None, agency=world.icb, path=path)
    assert not SourceRecord.objects.exists()


def test_unknown_agency(db):
    with pytest.raises(CommandError, match="No organisation called"):
        call_command("identity", "load", "--agency", "Nowhere", "x.csv")


@pytest.fixture
def linked(db, tmp_path):
    call_command("synth", "--residents", "1500", "--seed", "3", "--agencies", str(tmp_path / "x"))
    for kind, agency in (
        ("acute_trust", "RZ1"),
        ("adult_social_care", "ZC101"),
        ("voluntary", "Kingsgate Age Concern"),
    ):
        call_command("identity", "load", "--agency", agency, str(tmp_path / "x" / f"{kind}.csv"))
    call_command("identity", "link")
    return tmp_path


def test_linkage_against_ground_truth(linked, tmp_path):
    call_command("identity", "export", "--out", str(tmp_path / "links.csv"))
    truth = {
        (r["agency"], r["local_id"]): r["person_id"]
        for r in csv.DictReader(open(tmp_path / "x" / "truth.csv"))
    }
    rows = list(csv.DictReader(open(tmp_path / "links.csv")))
    auto = [r for r in rows if r["band"] == "auto"]
    correct = sum(r["person_id"] == truth[(r["agency"], r["local_id"])] for r in auto)
    real = sum(1 for r in rows if truth[(r["agency"], r["local_id"])])
    assert correct / len(auto) >= 0.995
    assert correct / real >= 0.97
    assert {r["band"] for r in rows} <= {"auto", "review", "unlinked"}
    # Linking again is incremental: nothing new, nothing changes.
    before = list(SourceRecord.objects.order_by("pk").values_list("person_id", "band"))
    report = actions.link(by=None)
    assert report.records == 0
    assert list(SourceRecord.objects.order_by("pk").values_list("person_id", "band")) == before


def test_review_decisions_are_remembered_and_audited(world, client):
    person = world.person(given_name="Joan", family_name="Smith", birth_date=date(1944, 3, 15))
    path_record = SourceRecord.objects.create(
        agency=world.icb,
        load=actions.AgencyLoad.objects.create(
            agency=world.icb, file_name="x.csv", sha256="0" * 64, loaded_at="2026-01-01T00:00Z"
        ),
        local_id="Q1",
        given_name="Jo",
        family_name="Smyth",
        birth_date=date(1944, 3, 15),
        band=Band.REVIEW,
    )
    item = ReviewItem.objects.create(
        record=path_record,
        person=person,
        match_probability=0.7,
        match_weight=1.2,
        field_weights={"forename_surname": 2.1, "birth_date": 6.5},
    )
    twin = world.person(given_name="Jean", family_name="Smith", birth_date=date(1944, 3, 15))
    ReviewItem.objects.create(
        record=path_record, person=twin, match_probability=0.6, match_weight=0.5, field_weights={}
    )
    reviewer = world.user(Role.DATA_QUALITY, world.icb)
    client.force_login(world.user(Role.GP, world.practice_a))
    assert client.get(reverse("identity:queue")).status_code == 403
    client.force_login(reviewer)
    queue = client.get(reverse("identity:queue")).content.decode()
    assert "1 agency record waiting" in queue and reverse("identity:pair", args=[item.pk]) in queue
    page = client.get(reverse("identity:pair", args=[item.pk])).content.decode()
    assert "This record has other candidates" in page and "Jean Smith" in page
    assert "Are these the same person?" in page and "Joan" in page and "Smyth" in page
    assert "Date of birth: strong evidence they are the same person (+6.5)" in page
    assert AuditEvent.objects.filter(action="identity.review.view", person_id=person.pk).exists()
    bad = client.post(reverse("identity:decide", args=[item.pk]), {"decision": "maybe"})
    assert bad.status_code == 400
    client.post(reverse("identity:decide", args=[item.pk]), {"decision": "link"})
    path_record.refresh_from_db()
    assert path_record.person == person and path_record.band == Band.MANUAL
    with pytest.raises(ValidationError, match="already been decided"):
        actions.decide(by=reviewer, item=item, decision="not_link")
    assert AuditEvent.objects.filter(action="identity.review.link", user=reviewer).exists()


def test_person_page_shows_who_knows_them_and_conflicts(linked, client):
    from joinedup.core.models import User

    record = (
        SourceRecord.objects.filter(band=Band.AUTO, person__registered_practice__ods_code="Z90002")
        .select_related("person")
        .first()
    )
    SourceRecord.objects.filter(pk=record.pk).update(postcode="JU9 9ZZ")
    client.force_login(User.objects.get(username="gp.b"))
    page = client.get(reverse("people:summary", args=[record.person_id])).content.decode()
    assert "Known to" in page and record.local_id in page and record.agency.name in page
    assert "Differs" in page and "JU9 9ZZ" in page


def test_merge_and_unmerge_restore_exactly_the_previous_state(world):
    from joinedup.identity.models import Merge
    from joinedup.people import access
    from joinedup.people.actions import add_relationship, break_glass
    from joinedup.people.models import Relationship

    keep = world.person(given_name="Ann", family_name="Lee")
    dup = world.person(given_name="Anne", family_name="Lee", nhs_number=None)
    carer = world.person(given_name="Carl", family_name="Lee", birth_date=date(1980, 1, 1))
    add_relationship(
        by=None, organisation=None, person=keep, type="next_of_kin", contact_name="Neighbour"
    )
    rel = add_relationship(
        by=None, organisation=None, person=dup, type="carer", related_person=carer
    )
    load = actions.AgencyLoad.objects.create(
        agency=world.icb, file_name="m.csv", sha256="2" * 64, loaded_at="2026-01-01T00:00Z"
    )
    record = SourceRecord.objects.create(
        agency=world.icb, load=load, local_id="M1", person=dup, band=Band.AUTO
    )
    gp = world.user(Role.GP, world.practice_b)
    break_glass(
        by=gp, membership=gp.memberships.get(), person_id=dup.pk, reason="Emergency in clinic today"
    )
    before = {
        "relationships": set(
            Relationship.objects.values_list("pk", "person_id", "related_person_id")
        ),
        "records": set(SourceRecord.objects.values_list("pk", "person_id")),
    }
    audit_before = AuditEvent.objects.filter(person_id=dup.pk).count()

    merge = actions.merge_persons(by=None, survivor=keep, absorbed=dup, reason="Same person")
    rel.refresh_from_db()
    record.refresh_from_db()
    dup.refresh_from_db()
    assert rel.person == keep and record.person == keep and dup.merged_into == keep
    assert dup not in access.trace_people()
    with pytest.raises(ValidationError, match="already been merged"):
        actions.merge_persons(by=None, survivor=keep, absorbed=dup, reason="again")

    actions.unmerge(by=None, merge=merge, reason="Twins, not one person")
    after = {
        "relationships": set(
            Relationship.objects.values_list("pk", "person_id", "related_person_id")
        ),
        "records": set(SourceRecord.objects.values_list("pk", "person_id")),
    }
    assert after == before
    dup.refresh_from_db()
    assert dup.merged_into is None and dup in access.trace_people()
    assert AuditEvent.objects.filter(person_id=dup.pk).count() == audit_before + 2
    assert Merge.objects.get().unmerged_at is not None
    with pytest.raises(ValidationError, match="already been undone"):
        actions.unmerge(by=None, merge=merge, reason="again")


def test_a_merged_record_sends_you_to_the_survivor(world, client):
    keep = world.person(given_name="Ann")
    dup = world.person(given_name="Anne", nhs_number=None)
    actions.merge_persons(by=None, survivor=keep, absorbed=dup, reason="Same person")
    client.force_login(world.user(Role.GP, world.practice_a))
    response = client.get(reverse("people:summary", args=[dup.pk]))
    assert response["Location"] == reverse("people:summary", args=[keep.pk])


def test_merge_commands(world, capsys):
    keep, dup = world.person(), world.person(given_name="Ada2", nhs_number=None)
    call_command(
        "identity",
        "merge",
        "--keep",
        str(keep.pk),
        "--absorb",
        str(dup.pk),
        "--reason",
        "duplicate registration",
    )
    assert "merged into" in capsys.readouterr().out
    from joinedup.identity.models import Merge

    call_command("identity", "unmerge", "--merge", str(Merge.objects.get().pk), "--reason", "no")
    with pytest.raises(CommandError, match="must be person ids"):
        call_command("identity", "merge", "--keep", "0", "--absorb", str(dup.pk), "--reason", "x")


def test_fhir_patients_are_source_records_too(world, tmp_path):
    import json

    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "mh-77",
                    "identifier": [
                        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}
                    ],
                    "name": [{"family": "Lovelace", "given": ["Ada"]}],
                    "gender": "female",
                    "birthDate": "1950-01-02",
                    "address": [{"line": ["1 Road"], "postalCode": "ju1 1aa"}],
                    "telecom": [
                        {"system": "email", "value": "a@example.org"},
                        {"system": "phone", "value": "07700 900123"},
                    ],
                    "communication": [{"language": {"coding": [{"display": "Bengali"}]}}],
                    "extension": [
                        {
                            "url": "https://fhir.hl7.org.uk/StructureDefinition/"
                            "Extension-UKCore-NHSCommunication",
                            "extension": [{"url": "interpreterRequired", "valueBoolean": True}],
                        }
                    ],
                    "contact": [
                        {
                            "relationship": [{"text": "Carer"}],
                            "name": {"given": ["Rahim"], "family": "Uddin"},
                        }
                    ],
                }
            },
            {"resource": {"resourceType": "Patient", "id": "mh-78", "birthDate": "2999-01-01"}},
            {"resource": {"resourceType": "Patient", "id": "mh-79", "birthDate": "1950-13-45"}},
            {"resource": {"resourceType": "Observation", "status": "final"}},
        ],
    }
    path = tmp_path / "mh.json"
    path.write_text(json.dumps(bundle))
    load = actions.load_extract(by=None, agency=world.icb, path=path)
    assert (load.kept, load.quarantined) == (1, 2)
    record = SourceRecord.objects.get(local_id="mh-77")
    assert record.nhs_number_verified and record.postcode == "JU1 1AA"
    assert record.given_name == "Ada" and record.sex == "female"
    assert (record.phone, record.language, record.interpreter_needed, record.carer) == (
        "07700 900123",
        "Bengali",
        True,
        "Rahim Uddin",
    )


def test_optional_columns_say_what_else_an_agency_knows(world, tmp_path):
    path = tmp_path / "asc.csv"
    path.write_text(
        HEADER.strip() + ",phone,language,interpreter_needed,communication_needs,carer\n"
        "S1,,Ada,Lee,1950-01-02,F,,,07700 900456,Polish,yes,Large print,Carl Lee\n"
        "S2,,Bo,Lee,1950-01-02,M,,,,,perhaps,,\n"
    )
    load = actions.load_extract(by=None, agency=world.icb, path=path)
    assert (load.kept, load.quarantined) == (1, 1)
    s1 = SourceRecord.objects.get(local_id="S1")
    assert (s1.phone, s1.language, s1.interpreter_needed) == ("07700 900456", "Polish", True)
    assert (s1.communication_needs, s1.carer) == ("Large print", "Carl Lee")
    report = list(csv.reader(open(load.quarantine_report)))
    assert report[1][1:] == ["3", "interpreter_needed", "not yes or no"]
    # A changed phone number is a new version of the record.
    path.write_text(path.read_text().replace("900456", "900457"))
    actions.load_extract(by=None, agency=world.icb, path=path)
    assert SourceRecord.objects.filter(local_id="S1").count() == 2


def test_each_fact_shows_its_source_and_conflicts(world, client):
    from joinedup.core.models import User
    from joinedup.people.actions import add_relationship

    person = world.person(given_name="Ada", family_name="Lee", phone="07700 900111")
    carer = world.person(given_name="Carl", family_name="Lee", birth_date=date(1980, 1, 1))
    add_relationship(by=None, organisation=None, person=person, type="carer", related_person=carer)
    load = actions.AgencyLoad.objects.create(
        agency=world.icb, file_name="f.csv", sha256="3" * 64, loaded_at="2026-02-03T00:00Z"
    )
    SourceRecord.objects.create(
        agency=world.icb,
        load=load,
        local_id="F1",
        person=person,
        band=Band.AUTO,
        phone="07700 900999",
        carer="Carl Lee",
        communication_needs="Large print",
    )
    client.force_login(User.objects.get(pk=world.user(Role.GP, world.practice_a).pk))
    page = client.get(reverse("people:summary", args=[person.pk])).content.decode()
    phone_row = page[page.index(">Phone<") : page.index(">Language<")]
    assert "07700 900111" in phone_row and "07700 900999" in phone_row
    assert "Differs" in phone_row and "3 February 2026" in phone_row
    carer_row = page[page.index(">Carer<") :]
    carer_row = carer_row[: carer_row.index("</tr>")]
    assert "Carl Lee" in carer_row and "Differs" not in carer_row
    assert "Large print" in page


def test_data_quality_staff_merge_and_unmerge_from_the_pages(world, client):
    from joinedup.identity.models import Merge

    keep = world.person(given_name="Ann", family_name="Lee")
    dup = world.person(given_name="Anne", family_name="Lee", nhs_number=None)
    url = reverse("identity:merge-new")
    client.force_login(world.user(Role.GP, world.practice_a))
    assert client.get(url).status_code == 403
    assert client.get(reverse("identity:merges")).status_code == 403
    client.force_login(world.user(Role.DATA_QUALITY, world.icb))
    page = client.get(url, {"first": keep.nhs_number, "second": str(dup.pk)}).content.decode()
    assert "The two records side by side" in page and "Anne LEE" in page
    assert AuditEvent.objects.filter(action="identity.merge.compare", person_id=dup.pk).exists()
    bad = client.get(url, {"first": "9999999999", "second": str(dup.pk)})
    assert bad.status_code == 400 and "No one in the index" in bad.content.decode()
    same = client.get(url, {"first": str(dup.pk), "second": str(dup.pk)})
    assert "two different records" in same.content.decode()
    no_reason = client.post(url, {"first": keep.pk, "second": dup.pk, "keep": "first"})
    assert no_reason.status_code == 400 and "Give the reason" in no_reason.content.decode()
    assert not Merge.objects.exists()
    done = client.post(
        url, {"first": keep.pk, "second": dup.pk, "keep": "first", "reason": "Same person"}
    )
    assert done.status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into == keep
    merge = Merge.objects.get()
    assert "Undo" in client.get(reverse("identity:merges")).content.decode()
    unmerge = reverse("identity:unmerge", args=[merge.pk])
    assert client.post(unmerge, {"reason": " "}).status_code == 400
    assert client.post(unmerge, {"reason": "Twins"}).status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into is None


def test_the_same_model_links_on_spark(linked, tmp_path, spark):
    """A model trained on DuckDB scores identically on Spark (local mode), and `identity
    link` runs on Spark end to end."""
    from joinedup.identity import linkage
    from joinedup.people.models import Person

    persons = linkage.standardise(
        [
            {"unique_id": p["pk"], **p, "address": p["address_line1"]}
            for p in Person.objects.values(
                "pk",
                "given_name",
                "family_name",
                "birth_date",
                "sex",
                "postcode",
                "address_line1",
                "nhs_number",
            )
        ]
    )
    records = linkage.standardise(
        [
            {"unique_id": r["pk"], **r, "nhs_number": None}
            for r in SourceRecord.objects.filter(current=True).values(
                "pk", "given_name", "family_name", "birth_date", "sex", "postcode", "address"
            )
        ]
    )
    model = actions.model_path()
    common = {"persons": persons, "records": records, "model_path": model, "train": False}
    duck = linkage.predict(**common, threshold=0.3)
    sparked = linkage.predict(**common, threshold=0.3, spark=spark)
    assert len(duck) > 100
    duck_pairs = {(p.record_id, p.person_id): p.match_probability for p in duck}
    spark_pairs = {(p.record_id, p.person_id): p.match_probability for p in sparked}
    # Identical but for the odd pair at a Jaro-Winkler boundary: DuckDB's and Splink's Scala
    # implementations differ in the third decimal place.
    assert len(set(duck_pairs) ^ set(spark_pairs)) <= 0.01 * len(duck_pairs)
    same = [abs(duck_pairs[k] - spark_pairs[k]) < 1e-9 for k in set(duck_pairs) & set(spark_pairs)]
    assert sum(same) >= 0.99 * len(same)

    call_command("identity", "load", "--agency", "RZ2", str(tmp_path / "x" / "community_trust.csv"))
    report = actions.link(by=None, spark=spark)
    assert report.records > 0 and report.auto > 0.9 * report.records - report.unlinked
    assert report.model == model.name and not report.trained


def test_quarantine_report_cannot_run_formulas_in_a_spreadsheet(world, tmp_path):
    import json

    # A field name from the sender's file lands in the report: a spreadsheet must show it,
    # not run it.
    patient = {"resourceType": "Patient", "id": "p1", '=HYPERLINK("http://x","y")': 1}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": patient}]}))  # fmt: skip
    load = actions.load_extract(by=None, agency=world.icb, path=path)
    assert load.quarantined == 1
    report = list(csv.reader(open(load.quarantine_report)))
    assert report[1][2] == '\'=HYPERLINK("http://x","y")'


def test_a_decided_pair_shows_the_decision_instead_of_the_buttons(world, client):
    person = world.person(given_name="Joan", family_name="Smith")
    load = actions.AgencyLoad.objects.create(
        agency=world.icb, file_name="d.csv", sha256="4" * 64, loaded_at="2026-01-01T00:00Z"
    )
    records = [
        SourceRecord.objects.create(
            agency=world.icb, load=load, local_id=f"D{n}", given_name="Jo", band=Band.REVIEW
        )
        for n in (1, 2)
    ]
    linked, deferred = (
        ReviewItem.objects.create(
            record=r, person=person, match_probability=0.6, match_weight=0.4, field_weights={}
        )
        for r in records
    )
    reviewer = world.user(Role.DATA_QUALITY, world.icb)
    client.force_login(reviewer)
    client.post(reverse("identity:decide", args=[linked.pk]), {"decision": "link"})
    client.post(reverse("identity:decide", args=[deferred.pk]), {"decision": "defer"})
    linked.refresh_from_db()
    page = client.get(reverse("identity:pair", args=[linked.pk])).content.decode()
    assert "Linked: the same person" in page and reviewer.get_full_name() in page
    assert nhs_date(linked.decided_at) in page
    assert 'name="decision"' not in page
    # Deciding again (a second tab, another reviewer) changes nothing and says so.
    audit = AuditEvent.objects.count()
    again = client.post(reverse("identity:decide", args=[linked.pk]), {"decision": "not_link"})
    assert again.status_code == 409
    page = again.content.decode()
    assert "already been decided" in page and "Linked: the same person" in page
    assert 'name="decision"' not in page
    linked.refresh_from_db()
    records[0].refresh_from_db()
    assert linked.status == ReviewItem.Status.LINKED and records[0].person == person
    assert AuditEvent.objects.count() == audit
    # Decide later keeps the pair open, saying who left it.
    page = client.get(reverse("identity:pair", args=[deferred.pk])).content.decode()
    assert "Left to decide later by Test" in page and 'value="link"' in page


def test_reviewers_find_match_review_and_merged_records_in_the_header(world, client):
    for role, organisation, shown in (
        (Role.DATA_QUALITY, world.icb, True),
        (Role.SYSTEM_ADMIN, world.icb, True),
        (Role.GP, world.practice_a, False),
    ):
        client.force_login(world.user(role, organisation))
        page = client.get(reverse("core:home")).content.decode()
        header = page[page.index("<header") : page.index("</header>")]
        for href, text in (
            (reverse("identity:queue"), "Match review"),
            (reverse("identity:merges"), "Merged records"),
        ):
            assert (f'href="{href}"' in header and text in header) is shown
