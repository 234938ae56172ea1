"""`joinedup synth` builds the demo as a partnership going live would: it writes the
partnership's files and loads them through the loaders; with `--places 3`, three places,
each with its own settings, which the population run follows."""

import json

from django.core.management import call_command

from joinedup.core import place_settings
from joinedup.core.models import (
    AuditEvent,
    LoadRun,
    Membership,
    Organisation,
    OrganisationType,
    Place,
    User,
)
from joinedup.jobs.models import Job
from joinedup.people.models import Person
from joinedup.population.actions import practice_places
from joinedup.population.models import PersonProfile
from joinedup.population.place_rules import rule_from
from joinedup.synth.borough import DEMO_PASSWORD

FILES = ("places.csv", "lsoas.csv", "postcodes.csv", "organisations.csv", "staff.csv",
         "people.csv")  # fmt: skip


def test_three_places_are_loaded_from_files_with_their_own_settings(db, tmp_path):
    files = tmp_path / "files"
    call_command("synth", "--residents", "400", "--seed", "2", "--places", "3",
                 "--files", str(files))  # fmt: skip

    # Loaded through the loaders, from the files they wrote.
    assert all((files / name).exists() for name in FILES)
    assert json.loads((files / "settings.json").read_text())["places"]
    runs = dict(LoadRun.objects.values_list("kind", "created"))
    assert set(runs) == {"places", "lsoas", "organisations", "staff", "people"}
    assert runs["people"] == Person.objects.count() == 400
    assert not LoadRun.objects.filter(quarantined__gt=0).exists()
    assert AuditEvent.objects.filter(action="postcodes.load").exists()
    assert not Job.objects.filter(kind="mail.send").exists()  # no set-password links

    # Three places, a trust serving all of them, residents and practices in each.
    assert Place.objects.count() == 3
    assert Organisation.objects.get(ods_code="RZ1").places.count() == 3
    place_of = practice_places()
    living = Person.objects.exclude(registered_practice=None)
    assert {place_of[p] for p in living.values_list("registered_practice_id", flat=True)} == {
        "E09000999", "E09000998", "E09000997"
    }  # fmt: skip
    assert (
        Organisation.objects.filter(type=OrganisationType.GP_PRACTICE)
        .values("neighbourhood__network__place")
        .distinct()
        .count()
        == 3
    )

    # The logins work as before, and each new place has a GP and a coordinator.
    gp = User.objects.get(username="gp.a")
    assert gp.check_password(DEMO_PASSWORD) and gp.memberships.count() == 2
    assert User.objects.get(username="engagement").memberships.count() == 2
    assert User.objects.get(username="admin.system").is_superuser
    assert Membership.objects.filter(user__username="coordinator.riverside").exists()
    assert User.objects.get(username="gp.hillside").check_password(DEMO_PASSWORD)

    # Each place's own settings.
    settings = place_settings.by_place()
    assert settings["E09000999"]["cohort"]["min_conditions"] == 3
    assert not settings["E09000999"]["cohort"].get("frailty_bands")
    assert settings["E09000998"]["cohort"] == {
        "min_conditions": 2,
        "frailty_bands": ["moderate", "severe"],
    }
    assert settings["E09000997"]["review_interval_days"] == 90
    assert "sight" in [d["link_id"] for d in settings["E09000997"]["assessment"]["add_domains"]]
    assert settings["E09000999"]["review_interval_days"] != 90

    # The population run puts people in the cohort by their place's rule.
    call_command("population", "run")
    rules = {code: rule_from(values) for code, values in settings.items() if code}
    profiles = PersonProfile.objects.filter(run__current=True).exclude(practice=None)
    checked = set()
    for profile in profiles:
        place = place_of[profile.practice_id]
        expected = rules[place].includes(ltc_count=profile.ltc_count, efi_band=profile.efi_band)
        assert profile.multimorbid == expected, (place, profile.ltc_count, profile.efi_band)
        checked.add(place)
    assert checked == {"E09000999", "E09000998", "E09000997"}
    # In the second place, nobody is in the cohort without moderate or severe frailty.
    assert (
        not profiles.filter(
            multimorbid=True, practice_id__in=[p for p, c in place_of.items() if c == "E09000998"]
        )
        .exclude(efi_band__in=["moderate", "severe"])
        .exists()
    )


def test_one_place_is_still_the_default(db, settings):
    call_command("synth", "--residents", "300", "--seed", "4")
    assert Place.objects.count() == 1
    files = settings.DATA_DIR / "demo-files"
    assert (files / "people.csv").exists() and not (files / "settings.json").exists()
    assert set(LoadRun.objects.values_list("kind", flat=True)) == {
        "places", "lsoas", "organisations", "staff", "people"
    }  # fmt: skip
    assert place_settings.export() == {"system": {}, "places": {"E09000999": {}}}
    # The dead are no longer their practice's (as any registration file says).
    assert not Person.objects.exclude(date_of_death=None).exclude(registered_practice=None)
    # Asking for three places now needs --replace, and gives three.
    call_command("synth", "--residents", "300", "--seed", "4", "--places", "3", "--replace")
    assert Place.objects.count() == 3 and Person.objects.count() == 300
