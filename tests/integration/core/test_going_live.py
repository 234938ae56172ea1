"""Going live from a partnership's own files, with no demo data: a system of two places
(Brent and Ealing) from places, LSOAs, postcodes, organisations (a CSV and an
epraccur-shaped file), staff and the registered population (CSV and FHIR), through the
commands a data manager runs. Bad files change nothing and name every bad row."""

import csv
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from joinedup.core.models import (
    AuditEvent,
    LoadChange,
    LoadRun,
    LocalCareNetwork,
    Lsoa,
    Membership,
    Neighbourhood,
    Organisation,
    Place,
    User,
)
from joinedup.people.models import Person, Relationship, RelationshipType

FILES = Path(__file__).resolve().parents[2] / "data" / "going_live"
PASSWORD = "a long phrase nobody guesses"


def load(command: str, name: str, *extra: str) -> str:
    out = StringIO()
    call_command(command, "load", str(FILES / name), *extra, stdout=out)
    return out.getvalue()


def reference_data() -> None:
    load("places", "places.csv")
    load("lsoas", "lsoas.csv")
    call_command("load_postcodes", str(FILES / "postcodes.csv"), stdout=StringIO())
    load("organisations", "organisations.csv")
    load("organisations", "epraccur.csv", "--format", "epraccur", "--commissioner", "W2U3Z")


@pytest.fixture
def partnership(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reference_data()
        load("staff", "staff.csv", "--site", "https://joinedup.example")
    load("people", "people.csv")


def test_two_places_come_up_from_files_alone(partnership, client):
    assert set(Place.objects.values_list("name", flat=True)) == {"Brent", "Ealing"}
    assert LocalCareNetwork.objects.get(code="BRE-N").place.code == "E09000005"
    assert Lsoa.objects.get(code="E01001201").neighbourhood.code == "EAL-C1"
    # epraccur: GP practices only, placed by their postcode, closed ones kept as closed,
    # another commissioner's left out.
    practices = {o.ods_code: o for o in Organisation.objects.filter(type="gp_practice")}
    assert set(practices) == {"E84001", "E84002", "E84003", "E85001"}
    assert practices["E84001"].name == "Wembley Park Surgery"
    assert practices["E85001"].neighbourhood.code == "EAL-C1"
    assert [p.code for p in practices["E85001"].places.all()] == ["E09000009"]
    assert str(practices["E84003"].closed_on) == "2024-03-31"
    trust = Organisation.objects.get(ods_code="RV8")
    assert sorted(p.code for p in trust.places.all()) == ["E09000005", "E09000009"]
    assert Organisation.objects.get(name="Acton Community Kitchen").ods_code is None

    # A GP loaded from the staff file sets a password from the emailed link, signs in and
    # finds a resident of her practice, and no one else's.
    email = next(m for m in mail.outbox if m.to == ["amara.okafor@example.nhs.uk"])
    link = re.search(r"https://joinedup\.example(\S+)", email.body).group(1)
    assert "password" not in (FILES / "staff.csv").read_text().casefold()
    done = client.post(link, {"password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 302
    signed_in = client.post(
        reverse("core:sign-in"), {"username": "amara.okafor", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    found = client.get(reverse("people:search"), {"q": "Lovelace"}).content.decode()
    assert "Ada" in found and "LOVELACE" in found
    ada = Person.objects.get(nhs_number="9990000018")
    assert client.get(reverse("people:summary", args=[ada.pk])).status_code == 200
    zofia = Person.objects.get(nhs_number="9990000034")  # registered in Ealing
    refused = client.get(reverse("people:summary", args=[zofia.pk]))
    assert refused.status_code == 302 and refused["Location"].endswith("/break-glass")
    assert "NOWAK" not in client.get(reverse("people:search"), {"q": "Nowak"}).content.decode()


def test_the_same_files_again_change_nothing(partnership, django_capture_on_commit_callbacks):
    before = (Place.objects.count(), Organisation.objects.count(), Person.objects.count())
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        reference_data()
        load("staff", "staff.csv")
    load("people", "people.csv")
    assert (Place.objects.count(), Organisation.objects.count(), Person.objects.count()) == before
    assert len(mail.outbox) == sent  # nobody is sent a second link
    latest = {run.kind: run for run in LoadRun.objects.order_by("pk")}
    for kind, run in latest.items():
        assert run.created == run.updated == run.ended == 0, kind
    assert not LoadChange.objects.exists()


def test_the_registered_population_quarantines_bad_rows_and_keeps_the_rest(partnership):
    run = LoadRun.objects.filter(kind="people").get()
    assert (run.rows, run.created, run.quarantined) == (10, 6, 4)
    reasons = {(p["row"], p["field"]) for p in run.problems}
    assert reasons == {
        (8, "nhs_number"),
        (9, "date_of_birth"),
        (10, "date_of_death"),
        (11, "practice"),
    }
    assert not Person.objects.filter(family_name__in=["Number", "Born", "Before", "Practice"])
    # A postcode the lookup does not know, or a malformed one, is kept and flagged.
    no_fixed_abode = Person.objects.get(nhs_number="9990000050")
    assert (no_fixed_abode.postcode, no_fixed_abode.postcode_problem) == ("ZZ99 3VZ", "unknown")
    assert no_fixed_abode.registered_practice.ods_code == "E84001"
    leo = Person.objects.get(nhs_number="9990000069")
    assert (leo.postcode, leo.postcode_problem, leo.lsoa) == ("NOT A POSTCODE", "malformed", None)
    kwame = Person.objects.get(nhs_number="9990000026")
    assert (kwame.ethnicity, kwame.preferred_language, kwame.interpreter_needed) == (
        "B_AFRICAN",
        "Twi",
        True,
    )
    assert (kwame.address_line1, kwame.address_line2, kwame.town) == (
        "22 Church Lane",
        "Kingsbury",
        "London",
    )
    assert kwame.lsoa.code == "E01000502"


def test_fhir_patients_load_with_their_uk_core_details(partnership):
    load("people", "patients.json")
    marek = Person.objects.get(nhs_number="9990000107")
    assert marek.registered_practice.ods_code == "E85001"
    assert (marek.ethnicity, marek.preferred_language, marek.interpreter_needed) == (
        "W_OTHER",
        "Polish",
        True,
    )
    assert (marek.given_name, marek.family_name, str(marek.birth_date)) == (
        "Marek",
        "Kowalski",
        "1948-03-09",
    )
    run = LoadRun.objects.filter(kind="people").latest("pk")
    assert (run.created, run.quarantined) == (2, 2)
    assert {p["row"] for p in run.problems} == {3, 4}  # a wrong check digit; an Observation


def test_a_later_file_moves_ends_and_keeps_the_history(partnership):
    from joinedup.care.models import CaseloadEntry, ClosedReason, Stage

    kwame = Person.objects.get(nhs_number="9990000026")
    ada = Person.objects.get(nhs_number="9990000018")
    ravi = Person.objects.get(nhs_number="9990000042")
    Relationship.objects.create(
        person=kwame, type=RelationshipType.CARER, contact_name="Efua Mensah"
    )
    from django.utils import timezone

    for person in (kwame, ravi):
        now = timezone.now()
        CaseloadEntry.objects.create(
            person=person, stage_changed_at=now, identified_at=now, refreshed_at=now
        )
    load("people", "people-later.csv")
    ada.refresh_from_db()
    assert ada.postcode == "HA9 0AB" and ada.lsoa.code == "E01000502"
    history = LoadChange.objects.get(kind="people", key=str(ada.pk))
    assert history.changes["postcode"] == ["HA9 0AA", "HA9 0AB"]
    kwame.refresh_from_db()
    assert str(kwame.date_of_death) == "2026-01-15" and kwame.registered_practice is None
    assert not Relationship.objects.filter(person=kwame, ended_at__isnull=True).exists()
    entry = CaseloadEntry.objects.get(person=kwame)
    assert (entry.stage, entry.closed_reason) == (Stage.CLOSED, ClosedReason.DIED)
    ravi.refresh_from_db()
    assert ravi.registered_practice is None and str(ravi.deregistered_on) == "2026-02-01"
    assert CaseloadEntry.objects.get(person=ravi).closed_reason == ClosedReason.MOVED_AWAY
    assert LoadChange.objects.get(kind="people", key=str(ravi.pk)).action == "ended"


def test_staff_missing_from_a_later_file_lose_access_at_once(partnership, client):
    sam = User.objects.get(username="sam.cole")
    sam.set_password(PASSWORD)
    sam.save()
    client.force_login(sam)
    assert client.get(reverse("core:home")).status_code == 200
    load("staff", "staff-later.csv")
    sam.refresh_from_db()
    assert not sam.is_active
    assert not Membership.objects.get(user=sam).active
    assert client.get(reverse("core:home")).status_code == 302  # signed out
    assert AuditEvent.objects.filter(action="membership.deactivate").exists()
    # Jo has two roles at the trust; both stay.
    assert Membership.objects.filter(user__username="jo.nash", active=True).count() == 2


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_bad_reference_files_change_nothing_and_name_every_bad_row(db, tmp_path):
    places = _write(
        tmp_path,
        "places.csv",
        "level,code,name,parent_code\n"
        "system,QRV,North West London,\n"
        "place,E09000005,Brent,QRV\n"
        "borough-ish,X1,Odd,QRV\n"
        "lcn,L1,Network,E09999999\n"
        "place,E09000005,Brent again,QRV\n"
        "neighbourhood,N1,,L1\n",
    )
    with pytest.raises(CommandError) as refused:
        call_command("places", "load", places)
    message = str(refused.value)
    assert "places.csv: nothing loaded" in message
    for row, column in [(4, "level"), (5, "parent_code"), (6, "code"), (7, "name")]:
        assert f"places.csv row {row}, {column}:" in message, (row, column, message)
    assert not Place.objects.exists() and not Neighbourhood.objects.exists()

    wrong_columns = _write(tmp_path, "orgs.csv", "code,title\nRV8,Trust\n")
    with pytest.raises(CommandError, match="no column ods_code, name, type, place_code"):
        call_command("organisations", "load", wrong_columns)
    latin1 = _write(
        tmp_path, "lsoas.csv", "lsoa_code,name,imd_decile\nE01000001,Café,3\n", "latin-1"
    )
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("lsoas", "load", latin1)
    assert not Lsoa.objects.exists()


def test_bad_staff_and_organisation_rows_are_all_named(db, tmp_path):
    reference_data()
    staff = _write(
        tmp_path,
        "staff.csv",
        "username,name,email,organisation,role\n"
        "ok.person,Ok Person,ok@example.nhs.uk,E84001,GP\n"
        "bad name,Bad Name,bad@example.nhs.uk,E84001,GP\n"
        "no.email,No Email,not-an-email,E84001,GP\n"
        "no.org,No Org,no.org@example.nhs.uk,Z99999,GP\n"
        "no.role,No Role,no.role@example.nhs.uk,E84001,Wizard\n",
    )
    with pytest.raises(CommandError) as refused:
        call_command("staff", "load", staff)
    message = str(refused.value)
    for row, column in [(3, "username"), (4, "email"), (5, "organisation"), (6, "role")]:
        assert f"staff.csv row {row}, {column}:" in message
    assert "Wizard" in message and "4 bad rows" in message
    assert not User.objects.exists()
    orgs = _write(
        tmp_path,
        "orgs.csv",
        "ods_code,name,type,place_code\nRV9,A trust,hospital-ish,E09000005\n"
        "RV9,A trust,acute_trust,E09000099\n",
    )
    with pytest.raises(CommandError) as refused:
        call_command("organisations", "load", orgs)
    assert "row 2, type" in str(refused.value) and "row 3, place_code" in str(refused.value)
    assert not Organisation.objects.filter(ods_code="RV9").exists()


def test_a_registration_file_that_breaks_half_way_changes_nothing(db, tmp_path):
    reference_data()
    rows = list(csv.reader((FILES / "people.csv").open()))
    good = "\n".join(",".join(r) for r in rows[:3]) + "\n"
    broken = tmp_path / "people.csv"
    broken.write_bytes(
        good.encode() + b'9990000034,Zofia,Nowak,1938-07-30,F,W3 6AA,"5 High St\xff\n'
    )
    with pytest.raises(CommandError, match="not UTF-8|unreadable"):
        call_command("people", "load", str(broken))
    assert not Person.objects.exists()
    missing = _write(tmp_path, "people2.csv", "nhs_number,name\n9990000018,Ada\n")
    with pytest.raises(CommandError, match="no column given_name, family_name, date_of_birth"):
        call_command("people", "load", missing)


def test_the_iod_file_as_published_with_the_2011_to_2021_lookup(db, tmp_path):
    load("places", "places.csv")
    iod = _write(
        tmp_path,
        "File_7.csv",
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
        "Local Authority District name (2019),Index of Multiple Deprivation (IMD) Score,"
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),"
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)\n"
        "E01000500,Brent 001A,E09000005,Brent,30.1,5000,2\n"
        "E01000600,Brent 002A,E09000005,Brent,10.0,25000,8\n"
        "E01000601,Brent 002B,E09000005,Brent,20.0,15000,5\n"
        "E01002000,Camden 001A,E09000007,Camden,12.0,20000,7\n",
    )
    lookup = _write(
        tmp_path,
        "LSOA11_LSOA21.csv",
        "LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,CHGIND,LAD22CD\n"
        "E01000500,Brent 001A,E01035001,Brent 001E,S,E09000005\n"
        "E01000500,Brent 001A,E01035002,Brent 001F,S,E09000005\n"
        "E01000600,Brent 002A,E01035003,Brent 002C,M,E09000005\n"
        "E01000601,Brent 002B,E01035003,Brent 002C,M,E09000005\n",
    )
    text = StringIO()
    call_command("lsoas", "load", iod, "--lookup", lookup, stdout=text)
    assert "1 of other places skipped" in text.getvalue()
    deciles = dict(Lsoa.objects.values_list("code", "imd_decile"))
    # A split keeps its decile in each part; a merge takes the most deprived.
    assert deciles == {"E01035001": 2, "E01035002": 2, "E01035003": 5}
    assert Lsoa.objects.get(code="E01035003").name == "Brent 002C"
    # Then a file of neighbourhoods alone puts each LSOA in its neighbourhood.
    hoods = _write(tmp_path, "hoods.csv", "lsoa_code,neighbourhood_code\nE01035001,BRE-N1\n")
    call_command("lsoas", "load", hoods, stdout=StringIO())
    assert Lsoa.objects.get(code="E01035001").neighbourhood.code == "BRE-N1"
    assert Lsoa.objects.get(code="E01035001").imd_decile == 2
    assert LoadChange.objects.filter(kind="lsoas", key="E01035001").exists()


def test_a_population_run_and_the_caseload_follow_each_places_settings(partnership):
    """Brent keeps the default, 3+ conditions; Ealing puts people with 2+ on its
    caseload and does not count hypertension."""
    from joinedup.care.models import CaseloadEntry
    from joinedup.population.models import PersonProfile

    call_command("places", "settings", "import", str(FILES / "settings.json"), stdout=StringIO())
    call_command(
        "codelists",
        "import",
        str(Path(__file__).resolve().parents[3] / "joinedup/population/data/codelists"),
        stdout=StringIO(),
    )
    call_command("ingest", "events", str(FILES / "events.csv"), stdout=StringIO())
    call_command("population", "run", "--as-of", "2026-06-30", stdout=StringIO())
    call_command("care", "build-caseload", stdout=StringIO())
    profiles = {p.person.nhs_number: p for p in PersonProfile.objects.select_related("person")}
    assert (profiles["9990000018"].ltc_count, profiles["9990000018"].multimorbid) == (3, True)
    assert (profiles["9990000026"].ltc_count, profiles["9990000026"].multimorbid) == (2, False)
    assert (profiles["9990000034"].ltc_count, profiles["9990000034"].multimorbid) == (2, True)
    # Hypertension does not count in Ealing: asthma alone.
    assert (profiles["9990000042"].ltc_count, profiles["9990000042"].multimorbid) == (1, False)
    on_caseload = set(CaseloadEntry.objects.values_list("person__nhs_number", flat=True))
    assert on_caseload == {"9990000018", "9990000034"}
    # An assessment asks what the person's place asks: Ealing adds sight and hearing.
    from joinedup.care.actions import start_assessment

    for username, number, version in (
        ("tom.reid", "9990000034", "1.0.0-"),
        ("amara.okafor", "9990000018", "1.0.0"),
    ):
        gp = User.objects.get(username=username)
        started = start_assessment(
            by=gp, membership=gp.memberships.get(), person=Person.objects.get(nhs_number=number)
        )
        groups = [g["linkId"] for g in started.questionnaire.resource["item"]]
        assert started.questionnaire.version.startswith(version)
        assert ("sight" in groups) == (version == "1.0.0-")
    # Across places: a coordinator at the trust that serves both works both caseloads; the
    # council's coordinator in Brent works Brent's; a GP sees their own practice's people.
    from joinedup.people.access import accessible_people

    def opens(username: str, role: str) -> set[str]:
        member = Membership.objects.get(user__username=username, role=role)
        return set(accessible_people(member).values_list("nhs_number", flat=True))

    assert {"9990000018", "9990000034"} <= opens("jo.nash", "care_coordinator")
    assert "9990000018" in opens("lena.ford", "care_coordinator")
    assert "9990000034" not in opens("lena.ford", "care_coordinator")
    assert not opens("tom.reid", "gp") & {"9990000018", "9990000026", "9990000050"}
    assert not opens("priya.shah", "voluntary_worker")  # no relationship yet
