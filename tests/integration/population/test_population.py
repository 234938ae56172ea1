import csv

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from joinedup.people.actions import update_person
from joinedup.people.models import Person
from joinedup.population import actions
from joinedup.population.cohorts import DEFAULT_COHORTS, cohort_profiles
from joinedup.population.exports import suppress
from joinedup.population.models import Codelist, CodelistCode, PersonProfile, PopulationRun
from tests.reference_data import CODELISTS as SHARED_CODELISTS
from tests.reference_data import require


@pytest.fixture
def borough(db):
    call_command("synth", "--residents", "1500", "--seed", "4")
    return Person.objects.count()


def test_run_profiles_every_registered_living_person_and_exports(borough, tmp_path, capsys):
    call_command("population", "run")
    out = capsys.readouterr().out
    assert "as of" in out and "events/s" in out
    run = PopulationRun.objects.get(current=True)
    alive = Person.objects.filter(date_of_death__isnull=True).count()
    assert run.people == alive == PersonProfile.objects.filter(run=run).count()
    assert run.events / borough >= 35
    adults = PersonProfile.objects.filter(run=run, age__gte=18)
    share = adults.filter(multimorbid=True).count() / adults.count()
    assert 0.03 < share < 0.35
    assert adults.filter(efi__isnull=False).exclude(efi_band="").exists()

    call_command("population", "export", "--out", str(tmp_path))
    with (tmp_path / "people.csv").open() as f:
        rows = list(csv.DictReader(f))
    opted_out = Person.objects.filter(national_data_opt_out=True, date_of_death=None).count()
    assert len(rows) == alive - opted_out
    assert {
        "person_id",
        "nhs_number",
        "hypertension",
        "ltc_count",
        "cms",
        "efi",
        "efi_band",
        "age_band",
        "sex",
        "ethnicity_group",
        "imd_quintile",
        "practice",
        "neighbourhood",
        "lcn",
    } <= set(rows[0])
    first = PersonProfile.objects.get(run=run, person_id=int(rows[0]["person_id"]))
    assert int(rows[0]["ltc_count"]) == first.ltc_count
    with (tmp_path / "aggregates.csv").open() as f:
        aggregates = list(csv.DictReader(f))
    counts = {r["count"] for r in aggregates}
    assert all(c in ("0", "≤7") or int(c) % 5 == 0 for c in counts)
    small = [r for r in aggregates if r["count"] == "≤7"]
    assert small and all(r["crude_rate"] == "" for r in small)


def test_a_new_run_replaces_the_previous_one(borough):
    actions.run_population(by=None)
    person = Person.objects.filter(date_of_death=None).first()
    update_person(by=None, organisation=None, person=person, date_of_death=person.birth_date)
    actions.run_population(by=None)
    assert PopulationRun.objects.filter(current=True).count() == 1
    assert PersonProfile.objects.filter(run__current=False).count() == 0
    assert not PersonProfile.objects.filter(person=person).exists()


def test_default_cohorts(borough):
    from joinedup.population.models import Cohort

    actions.run_population(by=None)
    assert set(Cohort.objects.values_list("slug", flat=True)) == {"ltc-3-plus", "ltc-3-plus-frail"}
    for slug, name, definition in DEFAULT_COHORTS:
        cohort = actions.save_cohort(by=None, slug=slug, name=name, definition=definition)
        members = cohort_profiles(cohort)
        assert all(p.ltc_count >= 3 and p.age >= 18 for p in members)
    frail = cohort_profiles(cohort)
    assert all(p.efi_band in ("moderate", "severe") for p in frail)
    with pytest.raises(ValidationError, match="unknown condition"):
        actions.save_cohort(by=None, slug="x", name="x", definition={"conditions_all": ["gout"]})
    with pytest.raises(ValidationError, match="Unknown cohort field"):
        actions.save_cohort(by=None, slug="x", name="x", definition={"colour": "red"})


def test_export_before_any_run_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No population run yet"):
        call_command("population", "export", "--out", str(tmp_path))


def test_the_real_nhs_digital_refsets_import(db):
    require(SHARED_CODELISTS)
    saved = actions.import_codelists(by=None, folder=SHARED_CODELISTS)
    assert len(saved) == len(list(SHARED_CODELISTS.glob("*.csv")))
    hypertension = Codelist.objects.get(slug="nhsd-primary-care-domain-refsets-hyp_cod")
    assert hypertension.codes.filter(code=38341003).exists()
    # Importing again replaces, never duplicates.
    before = CodelistCode.objects.count()
    actions.import_codelists(by=None, folder=SHARED_CODELISTS)
    assert CodelistCode.objects.count() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("snomed,description\n38341003,Hypertension\n", "columns code and term"),
        ("code,term\nabc,Hypertension\n", "row 2, field code"),
        ("code,term\n38341004,Bad check digit\n", "not a SNOMED CT identifier"),
        ("code,term\n", "no codes"),
    ],
)
def test_bad_codelists_change_nothing(db, tmp_path, text, message):
    (tmp_path / "good.csv").write_text("code,term\n38341003,Hypertension\n")
    (tmp_path / "zbad.csv").write_text(text)
    with pytest.raises(ValidationError, match=message):
        actions.import_codelists(by=None, folder=tmp_path)
    assert not Codelist.objects.exists()


def test_codelist_in_the_wrong_encoding(db, tmp_path):
    (tmp_path / "latin.csv").write_bytes("code,term\n38341003,Hypertension é\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("codelists", "import", str(tmp_path))


def test_unknown_engine_is_refused(borough):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("population", "run", "--engine", "hadoop")


def test_suppression():
    assert [suppress(n) for n in (0, 1, 7, 8, 12, 13, 100)] == [
        "0",
        "≤7",
        "≤7",
        "10",
        "10",
        "15",
        "100",
    ]


def test_a_merged_record_is_counted_once_with_its_coded_record(borough):
    """After two records of one person are merged, the next run counts one person, whose
    conditions are found in the coded events of both records."""
    from joinedup.identity.actions import merge_persons

    actions.run_population(by=None)
    profiles = PersonProfile.objects.filter(run__current=True, age__gte=50)
    absorbed = profiles.filter(ltc_count__gte=2).order_by("person_id").first()
    survivor = profiles.filter(ltc_count=0).order_by("person_id").first()
    people = PopulationRun.objects.get(current=True).people
    merge_persons(by=None, survivor=survivor.person, absorbed=absorbed.person, reason="Same person")

    actions.run_population(by=None)
    run = PopulationRun.objects.get(current=True)
    assert run.people == people - 1
    assert not PersonProfile.objects.filter(run=run, person_id=absorbed.person_id).exists()
    merged = PersonProfile.objects.get(run=run, person_id=survivor.person_id)
    assert merged.ltc_count == absorbed.ltc_count
