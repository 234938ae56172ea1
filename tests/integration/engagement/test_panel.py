"""The citizens' panel: joining with consent, bad input, leaving (details erased), and how
representative the panel is."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from joinedup.core.models import AuditEvent, Role
from joinedup.engagement.models import PanelMember
from joinedup.engagement.queries import representativeness

GOOD = {
    "given_name": "Ada",
    "family_name": "Okafor",
    "postcode": "ju1 1aa",
    "contact_by": "email",
    "email": "Ada@Example.org",
    "age_band": "65-74",
    "sex": "female",
    "ethnic_group": "black",
    "disability": "no",
    "lgbt": "not_said",
    "carer": "yes",
    "consent": "yes",
}


def test_a_resident_joins_and_leaves(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("engagement:join"), GOOD)
    assert answer.status_code == 302 and answer["Location"] == reverse("engagement:joined")
    member = PanelMember.objects.get()
    assert member.email == "ada@example.org" and member.postcode == "JU1 1AA"
    assert member.lsoa == world.lsoa_a and member.consent_at is not None
    assert AuditEvent.objects.filter(action="engagement.panel.join").exists()
    link = re.search(r"(/engage/panel/leave/\S+)", mail.outbox[0].body)[1]
    assert "Leave the panel" in client.get(link).content.decode()
    client.post(link)
    member.refresh_from_db()
    assert member.withdrawn_at and (member.given_name, member.email, member.postcode) == (
        "",
        "",
        "",
    )
    assert client.get(link).status_code == 404  # used up


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"consent": ""}, "consent", "Tick the box"),
        ({"postcode": "nowhere"}, "postcode", "Enter a full UK postcode"),
        ({"postcode": "ZZ9 9ZZ"}, "postcode", "ZZ9 9ZZ is not in the borough"),
        ({"email": ""}, "email", "Enter your email address"),
        ({"email": "not-an-email"}, "email", "right format"),
        ({"contact_by": "phone", "phone": "123"}, "phone", "at least 10 digits"),
        ({"age_band": "ancient"}, "age_band", "Choose your age"),
        ({"given_name": ""}, "given_name", "Enter your first name"),
    ],
)
def test_bad_sign_ups_are_explained_and_nothing_is_saved(world, client, change, field, message):
    answer = client.post(reverse("engagement:join"), {**GOOD, **change})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert message in page and f'href="#{field}"' in page
    assert not PanelMember.objects.exists()


def test_one_membership_per_email_and_hostile_text_is_harmless(world, client):
    client.post(reverse("engagement:join"), GOOD)
    again = client.post(reverse("engagement:join"), {**GOOD, "given_name": "<script>x</script>"})
    assert again.status_code == 400 and "already joined" in again.content.decode()
    assert "<script>x</script>" not in again.content.decode()


def test_representativeness_compares_with_the_population(world, client):
    for _ in range(3):
        world.person(sex="female")
    world.person(sex="male")
    client.post(reverse("engagement:join"), GOOD)
    client.post(reverse("engagement:join"), {**GOOD, "email": "b@example.org", "sex": "male"})
    client.post(reverse("engagement:join"), {**GOOD, "email": "c@example.org", "sex": "not_said"})
    tables = representativeness()
    sex = {row.value: row for row in tables["Sex"]}
    assert (sex["female"].panel, sex["male"].panel, sex["not_said"].panel) == (1, 1, 1)
    assert sex["female"].panel_share == pytest.approx(0.5)
    assert sex["female"].population_share == pytest.approx(0.75)
    assert sex["female"].difference == pytest.approx(-0.25)
    assert {r.value: r.panel for r in tables["Age"]}["65-74"] == 3
    officer = world.user(Role.ENGAGEMENT_OFFICER, world.practice_a)
    client.force_login(officer)
    page = client.get(reverse("engagement:panel")).content.decode()
    assert "3 members" in page and "-25.0 points" in page and "<svg" in page
    client.force_login(world.user(Role.GP, world.practice_a))
    assert client.get(reverse("engagement:panel")).status_code == 403


def test_the_demo_panel_is_drawn_from_residents_once(world):
    from django.core.management import call_command

    for n in range(6):
        world.person(given_name=f"P{n}")
    call_command("demo", "engagement")
    members = PanelMember.objects.all()
    assert members.count() == 6  # fewer residents than the target size: all of them
    assert all(m.lsoa_id and m.age_band and m.consent_at for m in members)
    call_command("demo", "engagement")
    assert PanelMember.objects.count() == 6


def test_census_margins_fill_in_what_records_do_not_hold(world, client, tmp_path):
    from django.core.management import CommandError, call_command

    client.post(reverse("engagement:join"), GOOD)  # carer: yes
    good = tmp_path / "census.csv"
    good.write_text("category,value,share\ncarer,yes,9.5%\ncarer,no,90.5%\ndisability,yes,0.2\n"
                    "disability,no,0.8\n")  # fmt: skip
    call_command("engagement", "margins", str(good), "--source", "Census 2021")
    carer = {r.value: r for r in representativeness()["Carer"]}
    assert carer["yes"].population_share == pytest.approx(0.095)
    assert carer["yes"].difference == pytest.approx(1 - 0.095)
    for text, message in (
        ("category,value,share\ncarer,yes,0.3\ncarer,no,0.3\n", "add up to 0.6"),
        ("category,value,share\nhair,red,1\n", "row 2: category must be one of"),
        ("category,value,share\ncarer,maybe,1\n", "row 2: value must be yes or no"),
        ("category,value,share\ncarer,yes,lots\n", "row 2: share must be a number"),
        ("a,b,c\n", "the columns must be category,value,share"),
    ):
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(CommandError, match=message):
            call_command("engagement", "margins", str(bad))
    # Nothing half-kept: the good shares are still there.
    carer = {r.value: r for r in representativeness()["Carer"]}
    assert carer["yes"].population_share == pytest.approx(0.095)


def test_each_place_compares_its_panel_with_its_own_people_and_census_shares(world, client):
    from joinedup.core import place_settings
    from joinedup.core.models import LocalCareNetwork, Lsoa, Neighbourhood, Place, Postcode

    ealing = Place.objects.create(system=world.place.system, code="E09000009", name="Ealing")
    network = LocalCareNetwork.objects.create(place=ealing, code="EAL", name="Ealing network")
    hood = Neighbourhood.objects.create(network=network, code="EAL1", name="Acton")
    lsoa = Lsoa.objects.create(code="E01001201", name="Ealing 010A", imd_decile=2,
                               neighbourhood=hood)  # fmt: skip
    Postcode.objects.create(postcode="W3 6AA", lsoa=lsoa)
    world.person(sex="female")  # in the test borough
    for _ in range(3):
        world.person(sex="male", postcode="W3 6AA")
    client.post(reverse("engagement:join"), GOOD)  # in the test borough; a carer
    client.post(reverse("engagement:join"), {**GOOD, "email": "e@example.org", "postcode": "W3 6AA",
                                              "sex": "male"})  # fmt: skip
    place_settings.save(
        by=None, place=ealing, values={"panel_margins": {"carer": {"yes": 0.2, "no": 0.8}}}
    )
    acton = representativeness(place=ealing)
    assert {r.value: r.panel for r in acton["Sex"]}["male"] == 1
    assert {r.value: r.population for r in acton["Sex"]}["male"] == 3
    assert {r.value: r.population_share for r in acton["Carer"]}["yes"] == pytest.approx(0.2)
    assert {r.value: r.population_share for r in representativeness()["Carer"]}["yes"] is None
    client.force_login(world.user(Role.ENGAGEMENT_OFFICER, world.practice_a))
    page = client.get(reverse("engagement:panel"), {"place": "E09000009"}).content.decode()
    assert "1 member in Ealing" in page and "Ealing&#39;s residents" in page
    with pytest.raises(Exception, match="add up to more than 1"):
        place_settings.save(
            by=None, place=ealing, values={"panel_margins": {"carer": {"yes": 0.7, "no": 0.8}}}
        )
