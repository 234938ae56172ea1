"""Settings per place: versioned, audited, the system's default with each place's own on
top, as a page (system admins change, organisation admins read) and as a file; the
population run and the caseload follow each person's place."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from joinedup.core import place_settings
from joinedup.core.models import AuditEvent, Place, PlaceSettings, Role


@pytest.fixture
def places(world):
    return world.place, Place.objects.create(
        system=world.place.system, code="E09000009", name="Ealing"
    )


def test_a_place_uses_the_default_unless_it_sets_its_own(places):
    brent, ealing = places
    assert place_settings.effective(ealing)["cohort"] == {"min_conditions": 3, "frailty_bands": []}
    place_settings.save(by=None, place=None, values={"review_interval_days": 90})
    place_settings.save(
        by=None,
        place=ealing,
        values={"cohort": {"min_conditions": 2, "frailty_bands": ["severe", "moderate"]}},
    )
    assert place_settings.effective(ealing)["cohort"] == {
        "min_conditions": 2,
        "frailty_bands": ["moderate", "severe"],
    }
    assert place_settings.effective(ealing)["review_interval_days"] == 90
    assert place_settings.effective(brent)["cohort"]["min_conditions"] == 3
    # The same again changes nothing; a change is a new version, audited.
    assert place_settings.save(by=None, place=None, values={"review_interval_days": 90}) is None
    place_settings.save(by=None, place=None, values={"review_interval_days": 120})
    assert list(PlaceSettings.objects.filter(place=None).values_list("version", flat=True)) == [
        1,
        2,
    ]
    assert AuditEvent.objects.filter(action="place_settings.change").count() == 3


def test_the_settings_file_goes_out_and_back_all_or_nothing(places, tmp_path):
    brent, ealing = places
    place_settings.save(by=None, place=ealing, values={"review_interval_days": 60})
    out = tmp_path / "settings.json"
    call_command("places", "settings", "export", "--out", str(out), stdout=StringIO())
    data = json.loads(out.read_text())
    assert data["places"][ealing.code] == {"review_interval_days": 60}
    data["places"][brent.code] = {"conditions": ["asthma", "copd", "chd"]}
    data["places"][ealing.code] = {"cohort": {"min_conditions": 11}}
    data["places"]["E09999999"] = {}
    out.write_text(json.dumps(data))
    with pytest.raises(CommandError) as refused:
        call_command("places", "settings", "import", str(out))
    message = str(refused.value)
    assert "no place E09999999" in message and "min_conditions must be a whole number" in message
    assert place_settings.overrides(brent) == {}  # nothing was kept
    del data["places"]["E09999999"]
    data["places"][ealing.code] = {"cohort": {"min_conditions": 2}}
    out.write_text(json.dumps(data))
    done = StringIO()
    call_command("places", "settings", "import", str(out), stdout=done)
    assert "New settings for" in done.getvalue()
    assert set(place_settings.effective(brent)["conditions"]) == {"asthma", "copd", "chd"}


def test_the_page_compares_places_and_only_system_admins_change_them(places, world, client):
    brent, ealing = places
    client.force_login(world.user(Role.GP, world.practice_a))
    assert client.get(reverse("core:place-settings")).status_code == 403
    org_admin = world.user(Role.ORG_ADMIN, world.practice_a)
    client.force_login(org_admin)
    page = client.get(reverse("core:place-settings")).content.decode()
    assert "Ealing" in page and "3+ long-term conditions" in page and "Change" not in page
    assert client.get(reverse("core:place-settings-edit", args=[ealing.code])).status_code == 403
    admin = world.user(Role.SYSTEM_ADMIN, world.icb)
    client.force_login(admin)
    form = client.get(reverse("core:place-settings-edit", args=[ealing.code]))
    assert form.status_code == 200 and "Use the system&#39;s default" in form.content.decode()
    values = {
        "cohort-min_conditions": "2",
        "cohort-frailty_bands": ["moderate", "severe"],
        "conditions-inherit": "yes",
        "review_interval_days-inherit": "yes",
        "priority-inherit": "yes",
        "note": "Agreed at the Ealing place board",
    }
    place_settings.save(by=None, place=ealing, values={"directory": {"search_km": 5}})
    bad = client.post(
        reverse("core:place-settings-edit", args=[ealing.code]),
        {**values, "cohort-min_conditions": "lots"},
    )
    assert bad.status_code == 400 and "is not a number" in bad.content.decode()
    saved = client.post(
        reverse("core:place-settings-edit", args=[ealing.code]), values, follow=True
    )
    assert "Ealing: saved as version 2." in saved.content.decode()
    assert place_settings.overrides(ealing)["directory"] == {"search_km": 5}  # kept
    page = client.get(reverse("core:place-settings")).content.decode()
    assert "2+ long-term conditions with moderate or severe frailty" in page and "Own" in page
    history = client.get(reverse("core:place-settings-edit", args=[ealing.code])).content.decode()
    assert "Agreed at the Ealing place board" in history


def test_the_going_live_guides_example_is_a_settings_file_that_loads(places, tmp_path):
    import re
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[3] / "docs" / "going-live.md").read_text()
    example = re.search(r"```json\n(.*?)```", guide, re.S).group(1)
    path = tmp_path / "settings.json"
    path.write_text(example)
    assert place_settings.import_settings(by=None, path=path) == ["system", "E09000009"]
    _, ealing = places
    from joinedup.care.actions import current_questionnaire

    questionnaire = current_questionnaire(ealing)
    links = [i["linkId"] for i in questionnaire.resource["item"]]
    assert "sight" in links and questionnaire.version.startswith("1.0.0-")
    asked = {q["linkId"] for g in questionnaire.resource["item"] for q in g["item"]}
    assert "money.benefits_advice" not in asked and "sight.concerns" in asked
    assert current_questionnaire(places[0]).version == "1.0.0"
