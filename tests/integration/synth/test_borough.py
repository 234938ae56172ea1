import pytest
from django.core.management import call_command

from joinedup.core.models import Lsoa, Neighbourhood, Organisation, OrganisationType, Role, User
from joinedup.people.models import Person, Relationship
from joinedup.people.validation import clean_nhs_number
from joinedup.synth.models import SynthRun


def test_demo_borough_has_the_promised_shape(db, capsys):
    call_command("synth", "--residents", "2000", "--seed", "3")
    out = capsys.readouterr().out
    assert "Demo logins" in out and "gp.a" in out and "joinedup-demo-2026" in out

    assert Neighbourhood.objects.count() == 6
    assert Neighbourhood.objects.values("network").distinct().count() == 2
    assert Lsoa.objects.count() == 130
    assert set(Lsoa.objects.values_list("imd_decile", flat=True)) == set(range(1, 11))
    assert Organisation.objects.filter(type=OrganisationType.GP_PRACTICE).count() == 35
    assert Organisation.objects.count() >= 100
    roles = set(User.objects.values_list("memberships__role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.values("memberships__organisation").distinct().count() >= 8

    assert Person.objects.count() == 2000
    numbers = list(Person.objects.values_list("nhs_number", flat=True))
    assert len(set(numbers)) == 2000
    assert all(n.startswith("999") and clean_nhs_number(n) == n for n in numbers)
    assert Person.objects.filter(lsoa=None).count() == 0
    assert Person.objects.values("ethnicity").distinct().count() >= 12
    assert Relationship.objects.filter(type="carer").exclude(related_person=None).exists()

    # Re-running with the same size and seed changes nothing.
    call_command("synth", "--residents", "2000", "--seed", "3")
    assert Person.objects.count() == 2000 and SynthRun.objects.count() == 1


def test_same_seed_same_borough(db):
    call_command("synth", "--residents", "300", "--seed", "9")
    first = list(Person.objects.order_by("pk").values_list("nhs_number", "family_name", "postcode"))
    call_command("synth", "--residents", "300", "--seed", "9", "--replace")
    second = list(
        Person.objects.order_by("pk").values_list("nhs_number", "family_name", "postcode")
    )
    assert first == second


def test_a_different_borough_needs_replace(db):
    from django.core.management import CommandError

    call_command("synth", "--residents", "100", "--seed", "1")
    try:
        call_command("synth", "--residents", "200", "--seed", "1")
    except CommandError as exc:
        assert "--replace" in str(exc)
    else:
        raise AssertionError("expected a CommandError")
    call_command("synth", "--residents", "200", "--seed", "1", "--replace")
    assert Person.objects.count() == 200


def test_demo_with_linked_agencies_and_replace(db, tmp_path, capsys):
    from joinedup.identity.models import SourceRecord

    call_command(
        "synth",
        "--residents",
        "400",
        "--seed",
        "2",
        "--agencies",
        str(tmp_path / "a"),
        "--link-agencies",
    )
    assert "Linked agency records" in capsys.readouterr().out
    linked = SourceRecord.objects.exclude(person=None).count()
    assert linked > 100
    # Re-running is safe: same extracts, nothing new to link.
    call_command(
        "synth",
        "--residents",
        "400",
        "--seed",
        "2",
        "--agencies",
        str(tmp_path / "a"),
        "--link-agencies",
    )
    assert SourceRecord.objects.exclude(person=None).count() == linked
    call_command("synth", "--residents", "300", "--seed", "2", "--replace")
    assert not SourceRecord.objects.exists() and Person.objects.count() == 300


@pytest.mark.parametrize("residents", [1000, 2000])
def test_the_demo_builds_at_every_size(db, residents, capsys):
    """`make demo RESIDENTS=N` at small sizes: every step that depends on the cohort's size
    (the care activity, MDT agendas, portal logins, the directory) completes. (The
    `demo engagement` does not depend on the number of residents; the engagement browser
    test builds it.)"""
    from joinedup.care.models import AgendaItem, CarePlan, Task
    from joinedup.portal.models import ResidentAccount

    call_command("synth", "--residents", str(residents), "--seed", "1")
    call_command("population", "run")
    call_command("care", "build-caseload")
    call_command("demo", "care")
    call_command("demo", "portal")
    call_command("demo", "directory")
    assert CarePlan.objects.count() >= 20
    assert Task.objects.exists()
    assert AgendaItem.objects.exclude(discussed_at=None).exists()
    assert ResidentAccount.objects.count() == 4  # three residents and a carer
