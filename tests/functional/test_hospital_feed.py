"""A hospital's engine sends an admission over MLLP; seconds later the key worker sees it
in their inbox and on the person's care page, and a system admin sees the refused
messages on the Hospital feed page. Every page passes axe-core and the narrow check."""

import pytest
from playwright.sync_api import expect

from joinedup.care import actions
from joinedup.core.models import OrganisationType, Role
from tests.adt_corpus import MllpClient, messages, msa
from tests.factories import PASSWORD, World
from tests.integration.feeds.test_adt_listener import Running

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_key_worker_sees_an_admission_sent_over_mllp(pages, transactional_db):
    world = World()
    world.organisation("Riverside Hospitals", OrganisationType.ACUTE_TRUST, "RJ1")
    asc = world.organisation("Test Council ASC", OrganisationType.ADULT_SOCIAL_CARE, "ZC903")
    gp = world.user(Role.GP, world.practice_a, username="gp.feed")
    social = world.user(Role.SOCIAL_WORKER, asc, username="social.feed")
    world.user(Role.SYSTEM_ADMIN, world.icb, username="admin.feed")
    mary = world.person(given_name="Mary", family_name="Jones", nhs_number="9434765803")
    actions.add_team_member(
        by=gp,
        membership=gp.memberships.get(),
        person=mary,
        organisation=asc,
        user=social,
        role="Social worker",
        is_key_worker=True,
    )
    listening = Running()
    try:
        client = MllpClient(*listening.address)
        for raw in messages("01_admit_transfer_discharge.hl7")[:2]:  # admitted, then moved
            assert msa(client.exchange(raw))[0] == "AA"
        (refused, *_) = messages("07_refused.hl7")
        assert msa(client.exchange(refused))[0] == "AE"
        client.close()
    finally:
        listening.stop()

    page = pages.sign_in("social.feed", PASSWORD)
    pages.goto("/care/inbox/")
    expect(page.get_by_role("heading", name="From hospitals")).to_be_visible()
    expect(page.get_by_text("Hospital admission from").first).to_be_visible()
    pages.check("inbox_hospital")
    page.get_by_role("link", name="Mary JONES").first.click()
    expect(page.get_by_role("heading", name="Hospital", exact=True)).to_be_visible()
    expect(page.get_by_text("ORTHOPAEDIC WARD, BAY 1, BED 6")).to_be_visible()
    pages.check("person_care_hospital")

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.get_by_role("button", name="Sign out").click()
    page = pages.sign_in("admin.feed", PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    device = TOTPDevice.objects.get(user__username="admin.feed")
    page.get_by_label("Security code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You are working for Test ICB")).to_be_visible()
    pages.goto("/ingest/adt/")
    expect(page.get_by_role("heading", name="Hospital feed")).to_be_visible()
    expect(page.get_by_text("the message control id is empty")).to_be_visible()
    pages.check("hospital_feed")
