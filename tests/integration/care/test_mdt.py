"""MDT meetings: an agenda from the flagged caseload, attendees from several organisations,
decisions turned into goals and tasks in owners' inboxes, minutes — and who is refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from joinedup.care import actions, permissions, queries
from joinedup.care.models import AgendaItem, CarePlan, CaseloadEntry, MeetingStatus, Task
from joinedup.people import access


@pytest.fixture
def mdt(care):
    actions.build_caseload(by=None)
    entry = CaseloadEntry.objects.get(person=care.person)
    actions.flag_for_mdt(by=care.gp, membership=care.m[care.gp], entry=entry, flagged=True)
    care.hood = f"hood:{entry.neighbourhood_id}"
    care.when = timezone.now() + timedelta(days=3)
    return care


def test_a_meeting_builds_its_agenda_from_the_flagged_caseload(mdt):
    gp = mdt.m[mdt.gp]
    meeting = actions.schedule_meeting(
        by=mdt.gp, membership=gp, title="North MDT", area=mdt.hood, starts_at=mdt.when
    )
    assert [i.person for i in meeting.items.all()] == [mdt.person]
    assert "long-term conditions" in meeting.items.get().reason
    assert actions.refresh_agenda(by=mdt.gp, membership=gp, meeting=meeting) == 0
    with pytest.raises(ValidationError) as bad:
        actions.schedule_meeting(
            by=mdt.gp,
            membership=gp,
            title="",
            area="hood:999999",
            starts_at=timezone.now() - timedelta(hours=1),
        )
    assert set(bad.value.message_dict) == {"title", "area", "starts_at"}


def test_attendees_from_other_organisations_see_the_agenda_and_decisions_reach_inboxes(mdt):
    gp = mdt.m[mdt.gp]
    meeting = actions.schedule_meeting(
        by=mdt.gp, membership=gp, title="North MDT", area=mdt.hood, starts_at=mdt.when
    )
    item = meeting.items.get()
    social = mdt.m[mdt.social]
    assert access.access_basis(social, mdt.person.pk) is None
    with pytest.raises(PermissionDenied):
        actions.add_attendee(by=mdt.social, membership=social, meeting=meeting, user=mdt.gp)
    actions.add_attendee(by=mdt.gp, membership=gp, meeting=meeting, user=mdt.social)
    with pytest.raises(ValidationError, match="already invited"):
        actions.add_attendee(by=mdt.gp, membership=gp, meeting=meeting, user=mdt.social)
    # Attending gives the records of the people on the agenda, while the meeting is current.
    assert access.access_basis(social, mdt.person.pk) == "mdt_agenda"
    assert permissions.may_see_meeting(social, meeting)
    assert not permissions.may_see_meeting(mdt.m[mdt.volunteer], meeting)

    # Nothing is saved when part of the decision is missing.
    with pytest.raises(ValidationError, match="Choose who will do it"):
        actions.record_discussion(
            by=mdt.social, membership=social, item=item, summary="Falls", task="Home visit"
        )
    actions.record_discussion(
        by=mdt.social,
        membership=social,
        item=item,
        summary="Two falls since June",
        decisions="OT home visit; rails",
        goal="Get to the shops on my own",
        task="Occupational therapy home visit",
        task_owner=mdt.asc,
        task_owner_user=mdt.social,
        task_due=timezone.localdate() + timedelta(days=14),
    )
    item.refresh_from_db()
    assert [o["kind"] for o in item.outcomes] == ["goal", "task"]
    task = Task.objects.get()
    assert task.source.startswith("MDT ")
    assert list(queries.inbox(social, today=timezone.localdate())["mine"]) == [task]
    # The usual case at an MDT: the person had no plan yet, so the decision starts it.
    plan = CarePlan.objects.get(person=mdt.person)
    content = actions.current_content(plan)
    assert content["goals"][-1]["text"] == "Get to the shops on my own"
    assert content["actions"][-1]["who"] == "Council ASC"
    assert plan.version == 3  # started, goal added, action added
    assert plan.versions.last().summary.startswith("Plan started at the MDT")
    assert not CaseloadEntry.objects.get(person=mdt.person).flagged_for_mdt

    # A meeting that has not happened yet cannot be marked held (its minutes can be drafted).
    with pytest.raises(ValidationError, match="has not started yet"):
        actions.record_minutes(
            by=mdt.gp, membership=gp, meeting=meeting, base_version=1, minutes="x", held=True
        )
    actions.record_minutes(
        by=mdt.gp, membership=gp, meeting=meeting, base_version=1, minutes="Draft", held=False
    )
    meeting.refresh_from_db()
    assert meeting.status != MeetingStatus.HELD
    meeting.starts_at = timezone.now() - timedelta(hours=1)
    meeting.save()

    actions.record_minutes(
        by=mdt.gp,
        membership=gp,
        meeting=meeting,
        base_version=2,
        minutes="Apologies: none",
        held=True,
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    with pytest.raises(actions.StaleEdit):
        actions.record_minutes(
            by=mdt.social,
            membership=social,
            meeting=meeting,
            base_version=2,
            minutes="x",
            held=True,
        )
    # A month after the meeting its attendees no longer have the record through it.
    meeting.starts_at = timezone.now() - timedelta(days=actions.MEETING_WINDOW_DAYS + 1)
    meeting.save()
    assert access.access_basis(social, mdt.person.pk) is None


def test_meeting_pages(mdt, client):
    client.force_login(mdt.gp)
    day = mdt.when
    bad = client.post(
        reverse("care:meetings"),
        {
            "title": "<b>x</b>",
            "area": mdt.hood,
            "starts_at-day": "1",
            "starts_at-month": "13",
            "starts_at-year": "2027",
            "starts_at-time": "25:00",
        },
    )
    assert bad.status_code == 400 and "must be a real date" in bad.content.decode()
    response = client.post(
        reverse("care:meetings"),
        {
            "title": "North <script>MDT</script>",
            "area": mdt.hood,
            "starts_at-day": day.day,
            "starts_at-month": day.month,
            "starts_at-year": day.year,
            "starts_at-time": "14:30",
            "location": "Health centre",
        },
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "North &lt;script&gt;MDT&lt;/script&gt;" in page and "Mary JONES" in page
    item = AgendaItem.objects.get()
    item_url = reverse("care:agenda-item", args=[item.meeting_id, item.pk])
    assert client.get(item_url).status_code == 200
    missing = client.post(item_url, {"summary": ""})
    assert missing.status_code == 400 and "Summarise the discussion" in missing.content.decode()
    client.force_login(mdt.volunteer)
    assert client.get(response.url).status_code == 403
    assert client.get(item_url).status_code == 403
    assert "Health centre" not in client.get(reverse("care:meetings")).content.decode()
    assert "North &lt;script" not in client.get(reverse("care:meetings")).content.decode()


def test_saving_a_discussion_says_so_and_where_its_goal_and_task_went(mdt, client):
    gp = mdt.m[mdt.gp]
    actions.start_plan(by=mdt.gp, membership=gp, person=mdt.person)
    meeting = actions.schedule_meeting(
        by=mdt.gp, membership=gp, title="North MDT", area=mdt.hood, starts_at=mdt.when
    )
    item = meeting.items.get()
    client.force_login(mdt.gp)
    saved = client.post(
        reverse("care:agenda-item", args=[meeting.pk, item.pk]),
        {"summary": "Two falls", "decisions": "Footwear check", "goal": "Walk to the shops",
         "task": "Falls and footwear check", "task_owner": str(mdt.asc.pk)},
        follow=True,
    )  # fmt: skip
    page = saved.content.decode()
    assert "Discussion of Mary JONES saved." in page
    assert "Goal added to their plan." in page
    assert "Task sent to the inbox of Council ASC." in page
    plain = client.post(
        reverse("care:agenda-item", args=[meeting.pk, item.pk]),
        {"summary": "Better", "decisions": "None"},
        follow=True,
    ).content.decode()
    assert "Discussion of Mary JONES saved." in plain and "inbox of" not in plain


def test_the_meeting_page_says_what_updating_the_agenda_did_and_when_it_can_be_held(mdt, client):
    gp = mdt.m[mdt.gp]
    meeting = actions.schedule_meeting(
        by=mdt.gp, membership=gp, title="North MDT", area=mdt.hood, starts_at=mdt.when
    )
    client.force_login(mdt.gp)
    url = reverse("care:meeting", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "The meeting has been held" not in page
    assert "Once the meeting has started you can mark it as held here." in page
    # Nobody new is flagged: it says so, rather than seeming to do nothing.
    page = client.post(url, {"form": "refresh"}, follow=True).content.decode()
    assert "No one new to add: no one else in " in page
    other = mdt.world.person(given_name="Ann", family_name="Other")
    mdt.world.profile(other, ltc_count=3, cms=1.0, efi_band="mild", admissions=0)
    actions.build_caseload(by=None)
    entry = CaseloadEntry.objects.get(person=other)
    actions.flag_for_mdt(by=mdt.gp, membership=gp, entry=entry, flagged=True)
    page = client.post(url, {"form": "refresh"}, follow=True).content.decode()
    assert "1 person added to the agenda." in page
