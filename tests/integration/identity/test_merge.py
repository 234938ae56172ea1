"""Merging two records of one person when both have things a person has only one of per
run, meeting or agency record (population profiles, MDT agenda places, review pairs),
or only one at all (a care plan, a caseload entry)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from joinedup.care import actions as care_actions
from joinedup.care.models import AgendaItem, CarePlan, CaseloadEntry
from joinedup.core.models import Role
from joinedup.identity import actions
from joinedup.identity.models import AgencyLoad, Band, Merge, ReviewItem, SourceRecord
from joinedup.people.merging import attachments
from joinedup.people.models import Person
from joinedup.population.models import PersonProfile, PopulationRun


def state() -> dict:
    """Who every registered attachment belongs to, and who is merged into whom."""
    return {
        "attachments": {
            a.label: set(a.model.objects.values_list("pk", a.field)) for a in attachments()
        },
        "merged": set(Person.objects.values_list("pk", "merged_into")),
    }


class Twins:
    """Two records of one person, as the demo's would be: both profiled by the current
    population run (and ``dup`` by an older one too), both on one MDT agenda, both
    candidates for one agency record; ``dup`` also has a care plan, a caseload entry and
    an agency record linked to it."""

    def __init__(self, world):
        self.world = world
        self.gp = world.user(Role.GP, world.practice_a)
        self.gp_membership = self.gp.memberships.get()
        self.keep = world.person(given_name="Ann", family_name="Lee")
        self.dup = world.person(given_name="Anne", family_name="Lee", nhs_number=None)
        self.old_run = PopulationRun.objects.create(
            started_at=timezone.now() - timedelta(days=30),
            as_of=timezone.localdate() - timedelta(days=30),
            engine="test",
            current=False,
        )
        self.old_profile = world.profile(self.dup, ltc_count=3)
        self.old_profile.run = self.old_run  # written into the older run
        self.old_profile.save(update_fields=["run"])
        self.keep_profile = world.profile(self.keep, ltc_count=2)
        self.dup_profile = world.profile(self.dup, ltc_count=3)
        assert self.keep_profile.run_id == self.dup_profile.run_id
        care_actions.build_caseload(by=None)
        self.entry = CaseloadEntry.objects.get(person=self.dup)
        care_actions.flag_for_mdt(
            by=self.gp, membership=self.gp_membership, entry=self.entry, flagged=True
        )
        self.meeting = care_actions.schedule_meeting(
            by=self.gp,
            membership=self.gp_membership,
            title="North MDT",
            area=f"hood:{world.hood_a.pk}",
            starts_at=timezone.now() + timedelta(days=7),
        )
        self.dup_item = self.meeting.items.get(person=self.dup)
        # The agenda is built from caseload entries, and a person has one: the survivor's
        # place is written as refresh_agenda writes it, to test the clash on its own.
        self.keep_item = AgendaItem.objects.create(
            meeting=self.meeting, person=self.keep, position=2, reason="Asked for by the GP"
        )
        self.plan = care_actions.start_plan(
            by=self.gp, membership=self.gp_membership, person=self.dup
        )
        load = AgencyLoad.objects.create(
            agency=world.icb, file_name="t.csv", sha256="7" * 64, loaded_at=timezone.now()
        )
        self.record = SourceRecord.objects.create(
            agency=world.icb, load=load, local_id="T1", person=self.dup, band=Band.AUTO
        )
        waiting = SourceRecord.objects.create(
            agency=world.icb, load=load, local_id="T2", band=Band.REVIEW
        )
        self.keep_pair, self.dup_pair = (
            ReviewItem.objects.create(
                record=waiting, person=p, match_probability=0.5, match_weight=0.1
            )
            for p in (self.keep, self.dup)
        )


@pytest.fixture
def twins(world):
    return Twins(world)


def merge_by(route: str, twins: Twins, client, capsys) -> Merge:
    keep, dup = twins.keep, twins.dup
    if route == "action":
        actions.merge_persons(by=None, survivor=keep, absorbed=dup, reason="Same person")
    elif route == "command":
        call_command(
            "identity", "merge", "--keep", keep.pk, "--absorb", dup.pk, "--reason", "Same person"
        )
        said = " ".join(capsys.readouterr().out.split())  # as wrapped to the terminal
        assert f"stayed with {dup.pk}: MDT agenda items (1)" in said
    else:
        client.force_login(twins.world.user(Role.DATA_QUALITY, twins.world.icb))
        response = client.post(
            reverse("identity:merge-new"),
            {"first": dup.pk, "second": keep.nhs_number, "keep": "second", "reason": "Same"},
        )
        assert response.status_code == 302, response.content.decode()
    return Merge.objects.get()


@pytest.mark.parametrize("route", ["action", "command", "page"])
def test_what_the_survivor_already_has_stays_with_the_merged_record(twins, client, capsys, route):
    before = state()
    merge = merge_by(route, twins, client, capsys)

    def owner(row):
        row.refresh_from_db()
        return row.person_id

    keep, dup = twins.keep.pk, twins.dup.pk
    # Moved: what the survivor had no counterpart of.
    assert owner(twins.old_profile) == keep and owner(twins.entry) == keep
    assert owner(twins.plan) == keep and owner(twins.record) == keep
    # Stayed: the survivor has its own profile in this run, place on this agenda, pair
    # for this agency record (the next population run recomputes the profiles).
    assert owner(twins.dup_profile) == dup and owner(twins.keep_profile) == keep
    assert owner(twins.dup_item) == dup and owner(twins.keep_item) == keep
    assert owner(twins.dup_pair) == dup and owner(twins.keep_pair) == keep
    assert merge.stayed == {
        "population_profiles": [twins.dup_profile.pk],
        "mdt_agenda_items": [twins.dup_item.pk],
        "review_items": [twins.dup_pair.pk],
    }
    assert Person.objects.get(pk=dup).merged_into_id == keep

    if route == "page":
        page = client.get(reverse("identity:merges")).content.decode()
        assert "care plan (1)" in page
        assert f"Stayed with record {dup}: MDT agenda items (1), population profiles (1)" in page
        response = client.post(reverse("identity:unmerge", args=[merge.pk]), {"reason": "Twins"})
        assert response.status_code == 302
    elif route == "command":
        call_command("identity", "unmerge", "--merge", merge.pk, "--reason", "Twins")
    else:
        actions.unmerge(by=None, merge=merge, reason="Twins")
    assert state() == before


def test_a_pair_with_a_merged_record_leaves_the_review_queue(twins, client):
    actions.merge_persons(by=None, survivor=twins.keep, absorbed=twins.dup, reason="Same")
    reviewer = twins.world.user(Role.DATA_QUALITY, twins.world.icb)
    queue = ReviewItem.objects.filter(status=ReviewItem.Status.PENDING)
    assert queue.count() == 2
    client.force_login(reviewer)
    page = client.get(reverse("identity:queue")).content.decode()
    assert "1 agency record waiting" in page
    assert reverse("identity:pair", args=[twins.dup_pair.pk]) not in page
    pair = client.get(reverse("identity:pair", args=[twins.dup_pair.pk])).content.decode()
    assert f"merged into record {twins.keep.pk}" in pair and 'value="link"' not in pair
    with pytest.raises(ValidationError, match="merged into record"):
        actions.decide(by=reviewer, item=twins.dup_pair, decision="link")
    twins.dup_pair.refresh_from_db()
    assert twins.dup_pair.status == ReviewItem.Status.PENDING


def test_both_with_a_care_plan_is_refused_clearly_everywhere(twins, client):
    care_actions.start_plan(by=twins.gp, membership=twins.gp_membership, person=twins.keep)
    before = state()
    message = "Both records have a care plan"
    with pytest.raises(ValidationError, match=message):
        actions.merge_persons(by=None, survivor=twins.keep, absorbed=twins.dup, reason="Same")
    with pytest.raises(CommandError, match=message):
        call_command(
            "identity", "merge", "--keep", twins.keep.pk, "--absorb", twins.dup.pk, "--reason", "x"
        )
    client.force_login(twins.world.user(Role.DATA_QUALITY, twins.world.icb))
    response = client.post(
        reverse("identity:merge-new"),
        {"first": twins.keep.pk, "second": twins.dup.pk, "keep": "first", "reason": "Same"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and message in page and "There is a problem" in page
    assert state() == before and not Merge.objects.exists()
    assert CarePlan.objects.count() == 2


def test_both_on_the_caseload_the_survivors_place_is_kept(twins, world):
    """Two records of one person are usually both in the cohort: the merge goes ahead, the
    survivor keeps its place on the caseload (the officer chooses which record to keep,
    seeing each one's stage), the merged record's stays with it, off every caseload, and
    unmerge puts everything back."""
    from joinedup.care import queries as care_queries

    # The survivor is in the cohort too.
    PersonProfile.objects.filter(pk=twins.keep_profile.pk).update(ltc_count=4, multimorbid=True)
    care_actions.build_caseload(by=None)
    keep_entry = CaseloadEntry.objects.get(person=twins.keep)
    before = state()
    merge = actions.merge_persons(by=None, survivor=twins.keep, absorbed=twins.dup, reason="Same")
    twins.entry.refresh_from_db()
    keep_entry.refresh_from_db()
    assert twins.entry.person_id == twins.dup.pk and keep_entry.person_id == twins.keep.pk
    assert merge.stayed["caseload_entry"] == [twins.entry.pk]
    gp = world.user(Role.GP, world.practice_a)
    listed = set(care_queries.caseload(gp.memberships.get()).values_list("person_id", flat=True))
    assert twins.keep.pk in listed and twins.dup.pk not in listed
    # A rebuild does not put the merged record back.
    care_actions.build_caseload(by=None)
    assert CaseloadEntry.objects.filter(person=twins.keep).count() == 1
    actions.unmerge(by=None, merge=merge, reason="Twins")
    assert state() == before


def test_unmerge_refuses_what_it_could_not_restore_exactly(twins):
    merge = actions.merge_persons(
        by=None, survivor=twins.keep, absorbed=twins.dup, reason="Same person"
    )
    # While merged, the absorbed record got a care plan of its own again (written here:
    # nothing in the application gives a merged record one).
    CarePlan.objects.create(person=twins.dup, created_at=timezone.now(), updated_at=timezone.now())
    with pytest.raises(ValidationError, match="cannot be undone exactly"):
        actions.unmerge(by=None, merge=merge, reason="Twins")
    merge.refresh_from_db()
    assert merge.unmerged_at is None


def test_every_link_to_a_person_follows_a_merge_or_is_known_not_to():
    """A new foreign key to Person must be registered in people/merging.py, or listed
    here with the reason it stays where it is."""
    from django.apps import apps

    stays = {
        ("people.Person", "merged_into"),  # the merge itself
        ("identity.Merge", "survivor"),
        ("identity.Merge", "absorbed"),
    }
    registered = {(a.model._meta.label, a.field) for a in attachments()}
    links = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Person
    }
    assert links - stays - registered == set()


def test_the_survivors_pages_after_a_merge_and_the_merged_records_lead_there(twins, client):
    keep, dup = twins.keep, twins.dup
    actions.merge_persons(by=None, survivor=keep, absorbed=dup, reason="Same person")
    client.force_login(twins.gp)
    summary = client.get(reverse("people:summary", args=[keep.pk]))
    assert summary.status_code == 200
    page = summary.content.decode()
    assert "Ann LEE" in page and "T1" in page  # the agency record that moved
    care = client.get(reverse("care:person", args=[keep.pk]))
    assert care.status_code == 200 and reverse("care:plan", args=[keep.pk]) in care.content.decode()
    assert client.get(reverse("care:plan", args=[keep.pk])).status_code == 200
    for name in ("people:summary", "care:person", "care:plan", "care:assessments"):
        response = client.get(reverse(name, args=[dup.pk]))
        assert response.status_code == 302, name
        assert response["Location"] == reverse(name, args=[keep.pk])
    # Someone who may not open the survivor learns nothing from the merged record's pages.
    client.force_login(twins.world.user(Role.GP, twins.world.practice_b))
    assert client.get(reverse("care:person", args=[dup.pk])).status_code == 403
