"""A resident invited by their coordinator sets up an account and reads their plan, on a
desktop and on a 320 px wide phone; every page passes axe-core and is screenshotted."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from joinedup.care import actions
from joinedup.core.models import OrganisationType, Role
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT_PASSWORD = "blue kettle sunny garden"


def test_invited_resident_reads_their_plan(pages, chromium, transactional_db):
    world = World()
    federation = world.organisation("Test GP Federation", OrganisationType.GP_FEDERATION, "ZF903")
    coordinator = world.user(Role.CARE_COORDINATOR, federation, username="coord.portal")
    person = world.person(given_name="Mary", family_name="Jones")
    world.profile(person, ltc_count=4)
    actions.build_caseload(by=None)
    membership = coordinator.memberships.get()
    actions.add_team_member(
        by=coordinator,
        membership=membership,
        person=person,
        organisation=federation,
        user=coordinator,
        role="Care coordinator",
        is_key_worker=True,
    )
    plan = actions.start_plan(by=coordinator, membership=membership, person=person)
    actions.save_goal(
        by=coordinator,
        membership=membership,
        plan=plan,
        base_version=plan.version,
        data={"text": "Walk to the shops again", "progress": "started"},
    )

    page = pages.sign_in("coord.portal", PASSWORD)
    pages.goto(f"/care/people/{person.pk}/")
    page.get_by_role("link", name="Invite Mary to see their plan online").click()
    page.get_by_label("Their email address").fill("mary@example.org")
    pages.check("invite")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to mary@example.org")).to_be_visible()
    link = re.search(r"(/portal/join/\S+)", mail.outbox[-1].body).group(1)

    page.get_by_role("button", name="Sign out").click()
    for width, name in ((1280, "desktop"), (320, "mobile")):
        page.set_viewport_size({"width": width, "height": 900})
        if name == "desktop":
            pages.goto(link)
            pages.check("join")
            page.get_by_label("Choose a password").fill(RESIDENT_PASSWORD)
            page.get_by_label("Type it again").fill(RESIDENT_PASSWORD)
            page.get_by_role("button", name="Set up my account").click()
        else:
            pages.goto("/portal/sign-in")
            pages.check("sign_in_mobile")
            page.get_by_label("Email address").fill("mary@example.org")
            page.get_by_label("Password").fill(RESIDENT_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Hello Mary")).to_be_visible()
        pages.check(f"home_{name}")
        pages.goto("/portal/plan/")
        expect(page.get_by_text("“Walk to the shops again” – started")).to_be_visible()
        pages.check(f"plan_{name}")
        if name == "desktop":
            page.get_by_role("link", name="Change what you have said about you").click()
            page.get_by_label("What matters to me").fill("My allotment and my grandson")
            pages.check("change_about_me")
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_text("My allotment and my grandson").first).to_be_visible()
            page.get_by_role("link", name="Message my care team").first.click()
            page.get_by_label("Your message").fill("Could we meet at home next time?")
            page.get_by_role("button", name="Send").click()
            expect(page.get_by_text("Sent.", exact=False)).to_be_visible()
            pages.check("message")
            page.get_by_role("link", name="My data").click()
            expect(page.get_by_role("heading", name="Who has looked at my record")).to_be_visible()
            pages.check("my_data")
            page.get_by_role("link", name="Find support near me").click()
            pages.check("find_support")
            page.get_by_role("link", name="My carers").click()
            page.get_by_label("Their name").fill("Sam Jones")
            page.get_by_label("Their email address").fill("sam@example.org")
            page.get_by_label("My goals and how they are going").check()
            until = timezone.localdate() + timedelta(days=60)
            page.get_by_label("Day").fill(str(until.day))
            page.get_by_label("Month").fill(str(until.month))
            page.get_by_label("Year").fill(str(until.year))
            page.get_by_role("button", name="Share").click()
            expect(page.get_by_text("We have emailed Sam Jones a link to accept.")).to_be_visible()
            pages.check("carers")
            pages.goto("/portal/plan/")
            page.get_by_role("link", name="Say how “Walk to the shops again” is going").click()
            pages.check("goal")
            pages.goto("/portal/two-factor")
            pages.check("two_factor")
        pages.goto("/portal/plan/easy-read")
        expect(page.get_by_text("I want: Walk to the shops again.")).to_be_visible()
        pages.check(f"easy_read_{name}")
        pages.goto("/portal/")
        page.get_by_role("button", name="Sign out").click()
        expect(
            page.get_by_role("heading", name="Sign in to see your care and support plan")
        ).to_be_visible()

    # Without JavaScript, at 200% zoom (a 1280 px screen shows 640 CSS px): still works.
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}, device_scale_factor=2
    )
    try:
        plain = context.new_page()
        plain.set_viewport_size({"width": 640, "height": 900})
        plain.goto(pages.base_url + "/portal/sign-in")
        plain.get_by_label("Email address").fill("mary@example.org")
        plain.get_by_label("Password").fill(RESIDENT_PASSWORD)
        plain.get_by_role("button", name="Sign in").click()
        expect(plain.get_by_role("heading", name="Hello Mary")).to_be_visible()
        plain.goto(pages.base_url + "/portal/plan/")
        expect(plain.get_by_text("“Walk to the shops again” – started")).to_be_visible()
        plain.screenshot(path=str(pages.screenshot_path("plan_no_js_zoom_200")), full_page=True)
    finally:
        context.close()

    # Sam, the carer Mary shared her goals with, accepts and sees exactly that.
    carer_link = re.search(r"(/portal/proxy/\S+)", mail.outbox[-1].body).group(1)
    pages.goto(carer_link)
    pages.check("proxy_accept")
    page.get_by_label("Choose a password").fill("sam's own long password")
    page.get_by_label("Type it again").fill("sam's own long password")
    page.get_by_role("button", name="Accept").click()
    expect(
        page.get_by_role("heading", name="People who have shared their plan with you")
    ).to_be_visible()
    pages.check("carer_home")
    page.get_by_role("link", name="Mary JONES").click()
    expect(page.get_by_text("“Walk to the shops again” – started")).to_be_visible()
    expect(page.get_by_role("heading", name="If things get worse")).to_have_count(0)
    pages.check("proxy_plan")
