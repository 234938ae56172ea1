"""The carer's journey on the demo borough: Sam Carter, who cares for resident1, signs
in, sees the parts of the plan resident1 shared, writes to the care team as their carer,
and reads the key worker's reply. Every step passes axe-core and fits a 375 px phone."""

import pytest
from playwright.sync_api import expect

from joinedup.care import conversations
from joinedup.care.actions import current_content
from joinedup.care.models import CarePlan, CareTeamMember
from joinedup.core.models import Membership
from joinedup.portal.models import PROXY_SECTIONS, ProxyGrant, ResidentAccount
from tests.functional.journeys.test_resident import portal_sign_in, portal_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How each shared part of the plan is headed on the carer's page.
HEADINGS = {
    "about_me": "About {name}",
    "goals": "Goals",
    "actions": "Who is doing what",
    "care_team": "Care team",
    "contingency": "If things get worse",
    "review": "When the plan is looked at again",
    "messages": "Messages",
}


def test_carer_sees_what_was_shared_and_writes_to_the_care_team(pages, demo):
    borough = demo()
    carer = ResidentAccount.objects.get(email="carer@joinedup.invalid")
    grant = ProxyGrant.objects.select_related("person").get(account=carer)
    person = grant.person
    assert set(grant.sections) == {key for key, _ in PROXY_SECTIONS}
    goal = current_content(CarePlan.objects.get(person=person))["goals"][0]["text"]

    # Signs in: their own page lists the people who shared their plan with them.
    page = portal_sign_in(pages, carer.email, borough.password)
    expect(page.get_by_role("heading", name=f"Hello {carer.display_name}")).to_be_visible()
    expect(
        page.get_by_role("heading", name="People who have shared their plan with you")
    ).to_be_visible()
    expect(page.get_by_role("link", name="My data")).to_have_count(0)  # not their record
    portal_step(pages, "carer_home")

    # The parts of the plan they were given.
    page.get_by_role("link", name=person.full_name).click()
    expect(
        page.get_by_role("heading", name=f"{person.given_name}'s care and support plan")
    ).to_be_visible()
    for key in grant.sections:
        heading = HEADINGS[key].format(name=person.given_name)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_text(f"“{goal}”", exact=False).first).to_be_visible()
    portal_step(pages, "shared_plan")

    # Writes to the care team, as carer.
    page.get_by_role(
        "link", name=f"Write to {person.given_name}'s care team, and read their replies"
    ).click()
    expect(
        page.get_by_role("heading", name=f"Messages with {person.given_name}'s care team")
    ).to_be_visible()
    portal_step(pages, "carer_messages")
    page.get_by_label("Your message").fill(
        f"{person.given_name} had a fall on Sunday. She is fine but shaken."
    )
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Sent. Your care team will see your message")).to_be_visible()
    expect(page.get_by_text(f"{carer.display_name} (carer)")).to_be_visible()
    portal_step(pages, "carer_message_sent")

    # The key worker replies (their side of the journey is in test_resident.py).
    key_worker = CareTeamMember.objects.select_related("user").get(
        person=person, is_key_worker=True, left_at=None
    )
    membership = Membership.objects.select_related("organisation", "team").get(
        user=key_worker.user, organisation=key_worker.organisation
    )
    conversations.reply(
        by=key_worker.user,
        membership=membership,
        person=person,
        text="Thank you for telling us. I will visit tomorrow morning.",
        site=pages.base_url,
    )

    # The carer sees the reply, and who wrote it.
    page.reload()
    expect(page.get_by_text("I will visit tomorrow morning.")).to_be_visible()
    expect(
        page.get_by_text(
            f"{key_worker.user.get_full_name()} (care coordinator), {key_worker.organisation.name}"
        )
    ).to_be_visible()
    portal_step(pages, "carer_reply_read")
