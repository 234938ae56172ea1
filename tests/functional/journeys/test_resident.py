"""The resident's journey on the demo borough: resident1 signs in, reads their plan (and
the easy-read version), changes "About me" and how a goal is going (and is told each
change is saved and who sees it), writes to their care team; their key worker finds one
inbox item for the changes and one for the message, reads the thread and replies; the
resident reads the reply, and "My data" says in plain English who did what.

Every step passes axe-core; every portal page fits a 375 px wide phone."""

import re

import pytest
from playwright.sync_api import expect

from joinedup.care.actions import current_content
from joinedup.care.models import CarePlan, CareTeamMember
from joinedup.portal.models import ResidentAccount

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def portal_step(pages, name: str) -> None:
    pages.check(name)  # axe-core, a screenshot, and the page at 375 px wide


def portal_sign_in(pages, email: str, password: str):
    return pages.portal_sign_in(email, password)


def test_resident_shapes_their_plan_and_talks_with_their_care_team(pages, demo):
    borough = demo()
    account = ResidentAccount.objects.select_related("person").get(
        email="resident1@joinedup.invalid"
    )
    person = account.person
    goal = current_content(CarePlan.objects.get(person=person))["goals"][0]["text"]
    key_worker = (
        CareTeamMember.objects.filter(person=person, is_key_worker=True, left_at=None)
        .select_related("user", "organisation")
        .get()
    )

    # Signs in and reads the plan, and the easy-read version.
    page = portal_sign_in(pages, account.email, borough.password)
    expect(page.get_by_role("heading", name=f"Hello {person.given_name}")).to_be_visible()
    portal_step(pages, "home")
    page.get_by_role("link", name="My care and support plan").click()
    expect(page.get_by_text(f"“{goal}”").first).to_be_visible()
    portal_step(pages, "plan")
    pages.goto("/portal/")
    page.get_by_role("link", name="My plan in easy read").click()
    expect(page.get_by_text(f"I want: {goal}").first).to_be_visible()
    portal_step(pages, "easy_read")

    # Changes "About me": told it is saved, and that the care team will see it.
    pages.goto("/portal/plan/")
    page.get_by_role("link", name="Change what you have said about you").click()
    portal_step(pages, "change_about_me")
    page.get_by_label("What matters to me").fill("My allotment, and seeing my grandson")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: your changes to “About me”")).to_be_visible()
    expect(page.get_by_text("Your care team will see this", exact=False)).to_be_visible()
    expect(page.get_by_text("My allotment, and seeing my grandson").first).to_be_visible()
    portal_step(pages, "about_me_saved")

    # Says how a goal is going.
    page.get_by_role("link", name=f"Say how “{goal}” is going").click()
    portal_step(pages, "goal")
    page.get_by_label("Some progress").check()
    page.get_by_label("In your own words (optional)").fill("Twice this week, with a stick")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Saved: how your goal “{goal}” is going")).to_be_visible()
    portal_step(pages, "goal_saved")

    # Writes to the care team.
    page.get_by_role("link", name="Message my care team").first.click()
    expect(page.get_by_text("No messages yet.")).to_be_visible()
    portal_step(pages, "messages_empty")
    page.get_by_label("Your message").fill("Could we meet at home next time? Mornings suit me.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Sent. Your care team will see your message")).to_be_visible()
    expect(page.get_by_text("Mornings suit me.")).to_be_visible()
    portal_step(pages, "message_sent")
    page.get_by_role("button", name="Sign out").click()

    # The key worker: one item for the plan changes, one for the thread, unread.
    page = pages.sign_in(key_worker.user.username, borough.password)
    pages.goto("/care/inbox/")
    changes = page.get_by_role("link", name=f"{person.full_name} updated their plan (2 changes)")
    expect(changes.first).to_be_visible()
    thread_link = page.get_by_role("link", name=f"Messages from {person.full_name}")
    expect(thread_link).to_have_count(1)
    expect(page.get_by_text("Unread")).to_be_visible()
    pages.check("staff_inbox")
    changes.first.click()
    expect(page.get_by_text("changed About me", exact=False)).to_be_visible()
    expect(page.get_by_text(f"changed progress on “{goal}”", exact=False)).to_be_visible()
    pages.check("staff_plan_changes")
    pages.goto(f"/care/people/{person.pk}/")
    expect(page.get_by_text("1 new", exact=True)).to_be_visible()
    pages.check("staff_care_page")
    page.get_by_role("link", name=f"Messages with {person.given_name}").click()
    expect(page.get_by_text("Could we meet at home next time?")).to_be_visible()
    expect(
        page.get_by_text(f"{person.given_name} {person.family_name}", exact=True)
    ).to_be_visible()
    pages.check("staff_thread")
    page.get_by_label(f"Reply to {person.given_name}").fill(
        "Yes, of course. I will come on Tuesday at 10."
    )
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent.", exact=False)).to_be_visible()
    pages.check("staff_replied")
    pages.goto("/care/inbox/")
    expect(page.get_by_role("link", name=f"Messages from {person.full_name}")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    # The resident sees the reply: who wrote it, as whom, and that it is new.
    page = portal_sign_in(pages, account.email, borough.password)
    expect(page.get_by_text("1 new reply")).to_be_visible()
    portal_step(pages, "home_new_reply")
    page.get_by_role("link", name="Messages with my care team").click()
    signed = f"{key_worker.user.get_full_name()} (care coordinator), {key_worker.organisation.name}"
    expect(page.get_by_text(signed)).to_be_visible()
    expect(page.get_by_text("I will come on Tuesday at 10.")).to_be_visible()
    expect(page.get_by_text("New", exact=True)).to_be_visible()
    portal_step(pages, "reply_read")

    # "My data": who looked and did what, in plain English.
    page.get_by_role("link", name="My data").click()
    expect(page.get_by_role("heading", name="Who has looked at my record")).to_be_visible()
    looks = page.locator("main li").all_inner_texts()
    who = f"{key_worker.user.get_full_name()} (care coordinator) at {key_worker.organisation.name}"
    assert any(
        re.fullmatch(
            re.escape(f"{who} looked at your messages with your care team on ")
            + r"\d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}",
            text.strip(),
        )
        for text in looks
    ), looks
    assert any(f"{who} looked at your care record on" in text for text in looks), looks
    assert any("replied to your message on" in text for text in looks), looks
    said = "\n".join(looks)
    assert not re.search(r"\b[a-z_]+\.[a-z_]+\.[a-z_]+", said), "an audit code is shown"
    assert "Mdt" not in said and "None" not in said
    for text in looks:  # each a sentence: who, what, when — never a bare "View"
        assert re.search(r" on \d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}", text), text
    portal_step(pages, "my_data")
