"""Two-way conversations between a resident (or their carer) and their care team, and
the grouped inbox item for a resident's own changes to their plan."""

import html
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from joinedup.care import actions as care_actions
from joinedup.care import conversations
from joinedup.care.models import Conversation, ConversationMessage, Task, TaskKind
from joinedup.core.models import AuditEvent, OrganisationType, Role
from joinedup.portal import actions
from joinedup.portal.models import ProxyGrant

PASSWORD = "correct horse battery staple"


@pytest.fixture
def scene(world, membership_of):
    """Mary, with a plan; her key worker (a GP, by name) and a community nurse in her
    care team; a GP at another practice with no relationship; Mary's account and a carer
    with access to everything, messages included."""
    gp = world.user(Role.GP, world.practice_a)
    gp.first_name, gp.last_name, gp.email = "Asha", "Patel", "asha@example.org"
    gp.save()
    community = world.organisation(
        "Community Health Trust", OrganisationType.COMMUNITY_TRUST, "RYX"
    )
    nurse = world.user(Role.COMMUNITY_NURSE, community)
    nurse.first_name, nurse.last_name = "Ewa", "Nowak"
    nurse.save()
    stranger = world.user(Role.GP, world.practice_b)
    mary = world.person(given_name="Mary", family_name="Jones")
    m = membership_of(gp)
    plan = care_actions.start_plan(by=gp, membership=m, person=mary)
    care_actions.save_goal(
        by=gp, membership=m, plan=plan, base_version=1, data={"text": "Walk to the park"}
    )
    care_actions.add_team_member(
        by=gp,
        membership=m,
        person=mary,
        organisation=world.practice_a,
        user=gp,
        role="GP",
        is_key_worker=True,
    )
    care_actions.add_team_member(
        by=gp, membership=m, person=mary, organisation=community, user=nurse, role="Nurse"
    )
    account = actions.create_demo_account(person=mary, email="mary@example.org", password=PASSWORD)
    carer = actions.create_demo_carer(
        email="sam@example.org", name="Sam Carter", password=PASSWORD, cares_for=mary
    )

    class S:
        pass

    s = S()
    s.world, s.gp, s.nurse, s.stranger, s.mary = world, gp, nurse, stranger, mary
    s.account, s.carer, s.community = account, carer, community
    s.m = {u: membership_of(u) for u in (gp, nurse, stranger)}
    return s


def _portal(email: str) -> Client:
    client = Client()
    response = client.post(reverse("portal:sign-in"), {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_resident_and_their_care_team_write_to_each_other(
    scene, client, django_capture_on_commit_callbacks
):
    mary = _portal("mary@example.org")
    url = reverse("portal:message")
    assert "No messages yet" in _text(mary.get(url))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = mary.post(url, {"message": "Can we meet at home?\nMornings are best."})
    assert sent.status_code == 302 and sent.url == url
    page = _text(mary.get(url))
    assert "Sent. Your care team will see your message and reply here" in page
    assert "Mary Jones</strong> wrote on" in page and "Mornings are best." in page
    # The key worker is told there is a message, not what it says (after the commit).
    assert len(callbacks) == 1
    [notice] = mail.outbox
    assert notice.to == ["asha@example.org"]
    assert "meet at home" not in notice.body and "Mary" not in notice.body
    assert reverse("care:messages", args=[scene.mary.pk]) in notice.body

    # One inbox item for the thread, unread, for each of the care team.
    for user in (scene.gp, scene.nurse):
        client.force_login(user)
        inbox = _text(client.get(reverse("care:inbox")))
        assert "Messages from Mary JONES" in inbox and "Unread" in inbox
    mary.post(url, {"message": "Or afternoons."})
    client.force_login(scene.nurse)
    assert _text(client.get(reverse("care:inbox"))).count("Messages from Mary JONES") == 1
    care_page = _text(client.get(reverse("care:person", args=[scene.mary.pk])))
    assert "Messages with Mary" in care_page and "2 new" in care_page

    thread_url = reverse("care:messages", args=[scene.mary.pk])
    thread = _text(client.get(thread_url))
    assert "Can we meet at home?" in thread and "Or afternoons." in thread
    assert "Read, not answered" in _text(client.get(reverse("care:inbox")))
    assert client.post(thread_url, {"message": "  "}).status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        replied = client.post(thread_url, {"message": "Yes: Tuesday at 10, at home."})
    assert replied.status_code == 302
    assert "Reply sent" in _text(client.get(thread_url))
    assert "Messages from Mary JONES" not in _text(client.get(reverse("care:inbox")))
    # Mary and her carer are told there is a reply, with a link, never the reply itself.
    assert sorted(m.to[0] for m in mail.outbox) == ["mary@example.org", "sam@example.org"]
    for notice in mail.outbox:
        assert "Tuesday" not in notice.body and "/portal/" in notice.body
    assert any(
        reverse("portal:proxy-messages", args=[scene.mary.pk]) in m.body for m in mail.outbox
    )

    # Mary sees the whole history, who wrote as whom, and that the reply is new.
    home = _text(mary.get(reverse("portal:home")))
    assert "1 new reply" in home
    page = _text(mary.get(url))
    trust = scene.community.name
    assert f"Nurse Ewa Nowak, {trust}</strong> wrote on" in page and "Tuesday at 10" in page
    assert "New" in page
    assert "1 new reply" not in _text(mary.get(reverse("portal:home")))
    message = ConversationMessage.objects.get(from_care_team=True)
    assert message.author == scene.nurse and message.organisation == scene.community
    for action in ("care.conversation.write", "care.conversation.reply", "person.view.messages"):
        assert AuditEvent.objects.filter(action=action, person_id=scene.mary.pk).exists()
    assert AuditEvent.objects.filter(action="portal.view.messages").exists()


def test_a_carer_writes_as_carer_only_when_their_access_covers_messages(scene, client):
    sam = _portal("sam@example.org")
    url = reverse("portal:proxy-messages", args=[scene.mary.pk])
    plan = _text(sam.get(reverse("portal:proxy-plan", args=[scene.mary.pk])))
    assert "Write to Mary's care team" in plan
    assert sam.post(url, {"message": "Mary had a fall on Sunday."}).status_code == 302
    assert "Sam Carter (carer)</strong> wrote on" in _text(sam.get(url))
    client.force_login(scene.gp)
    thread = _text(client.get(reverse("care:messages", args=[scene.mary.pk])))
    assert "Sam Carter (carer)" in thread and "Mary had a fall" in thread
    assert AuditEvent.objects.filter(
        action="care.conversation.write", person_id=scene.mary.pk, detail__as="carer"
    ).exists()
    assert AuditEvent.objects.filter(
        action="portal.proxy.messages", person_id=scene.mary.pk
    ).exists()
    # Mary reads it in her own thread too.
    assert "Sam Carter (carer)" in _text(_portal("mary@example.org").get(reverse("portal:message")))

    # Access that does not cover messages: nothing to read or write.
    ProxyGrant.objects.update(sections=["about_me"])
    assert sam.get(url).status_code == 404
    assert sam.post(url, {"message": "Hello"}).status_code == 404
    assert "Write to Mary's care team" not in _text(
        sam.get(reverse("portal:proxy-plan", args=[scene.mary.pk]))
    )
    ProxyGrant.objects.update(sections=["messages"], until=timezone.localdate() - timedelta(1))
    assert sam.get(url).status_code == 404
    assert ConversationMessage.objects.count() == 1


def test_only_the_care_team_reads_and_replies(scene, client):
    mary = _portal("mary@example.org")
    mary.post(reverse("portal:message"), {"message": "Hello"})
    thread_url = reverse("care:messages", args=[scene.mary.pk])
    # A GP at another practice, with no relationship to Mary.
    client.force_login(scene.stranger)
    assert client.get(thread_url).status_code in (403, 404)
    assert client.post(thread_url, {"message": "Hi"}).status_code in (403, 404)
    assert "Messages from" not in _text(client.get(reverse("care:inbox")))
    with pytest.raises(PermissionDenied):
        conversations.reply(
            by=scene.stranger,
            membership=scene.m[scene.stranger],
            person=scene.mary,
            text="Hi",
            site="http://testserver/",
        )
    # A colleague at Mary's practice may open her record, but is not in her care team.
    client.force_login(scene.world.user(Role.GP, scene.world.practice_a))
    assert client.get(reverse("care:person", args=[scene.mary.pk])).status_code == 200
    assert client.get(thread_url).status_code == 403
    # A resident reaches only their own thread: the other address is staff-only.
    assert mary.get(thread_url).status_code == 302
    # Someone who left the care team loses the thread with the access.
    care_actions.remove_team_member(
        by=scene.gp,
        membership=scene.m[scene.gp],
        member=scene.nurse.care_team_places.get(),
        reason="Discharged",
    )
    client.force_login(scene.nurse)
    assert client.get(thread_url).status_code in (403, 404)


def test_marking_handled_without_a_reply_clears_the_inbox_item(scene, client):
    _portal("mary@example.org").post(reverse("portal:message"), {"message": "Thank you!"})
    client.force_login(scene.gp)
    client.post(reverse("care:messages", args=[scene.mary.pk]), {"form": "handled"})
    assert not Conversation.objects.get().awaiting_reply
    assert "Messages from Mary JONES" not in _text(client.get(reverse("care:inbox")))
    assert AuditEvent.objects.filter(action="care.conversation.handled").exists()


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script><b>bold</b>",
        "x" * 5001,
        "nul\x00byte",
        "a" * 400,  # one long word: wraps instead of widening the page
        "\u202eRTL override and emoji 🙂",
    ],
)
def test_hostile_messages_are_refused_or_kept_harmless(scene, hostile):
    mary = _portal("mary@example.org")
    response = mary.post(reverse("portal:message"), {"message": hostile})
    if len(hostile) > conversations.MAX_MESSAGE:
        assert response.status_code == 400
        assert "Keep your message to 5,000 characters" in _text(response)
        assert not ConversationMessage.objects.exists()
        return
    assert response.status_code == 302
    kept = ConversationMessage.objects.get().text
    assert "\x00" not in kept
    page = mary.get(reverse("portal:message")).content.decode()
    assert "<script>alert(1)</script>" not in page and "<b>bold</b>" not in page


def test_a_residents_quick_changes_make_one_inbox_item_until_it_is_picked_up(scene, client):
    mary = _portal("mary@example.org")
    plan = scene.mary.care_plan
    goal_id = care_actions.current_content(plan)["goals"][0]["id"]

    def change_about_me(text):
        plan.refresh_from_db()
        return mary.post(
            reverse("portal:plan-change", args=["about_me"]),
            {"base_version": str(plan.version), "about_me-what_matters": text},
        )

    assert change_about_me("My garden").status_code == 302
    plan.refresh_from_db()
    goal = mary.post(
        reverse("portal:goal", args=[goal_id]),
        {"base_version": str(plan.version), "progress": "some_progress", "note": "Twice"},
    )
    assert goal.status_code == 302
    banner = _text(mary.get(goal.url))
    assert "Saved: how your goal “Walk to the park” is going. Your care team will see" in banner
    assert change_about_me("My garden and my cat").status_code == 302
    item = Task.objects.get(person=scene.mary, kind=TaskKind.MESSAGE)
    assert item.description == "Mary JONES updated their plan (3 changes)"
    assert item.detail.count("\n") == 2 and "progress on “Walk to the park”" in item.detail
    client.force_login(scene.gp)
    assert "Mary JONES updated their plan (3 changes)" in _text(client.get(reverse("care:inbox")))
    task_page = _text(client.get(reverse("care:task", args=[item.pk])))
    assert "changed About me" in task_page
    # Picked up (accepted): the next change starts a new item.
    client.post(
        reverse("care:task", args=[item.pk]),
        {"status": "accepted", "base_version": str(item.version)},
    )
    assert change_about_me("Just my garden").status_code == 302
    assert Task.objects.filter(person=scene.mary, kind=TaskKind.MESSAGE).count() == 2


def test_without_a_care_team_there_is_no_one_to_write_to(scene, world):
    lone = world.person(given_name="Lone", family_name="Walker")
    actions.create_demo_account(person=lone, email="lone@example.org", password=PASSWORD)
    client = _portal("lone@example.org")
    page = _text(client.get(reverse("portal:message")))
    assert "There is no care team to write to yet" in page and "Your message" not in page
    refused = client.post(reverse("portal:message"), {"message": "Hello?"})
    assert refused.status_code == 400 and "There is no care team" in _text(refused)
    assert not Conversation.objects.filter(person=lone).exists()
