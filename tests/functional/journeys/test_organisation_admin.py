"""The organisation admin's journey on the demo borough: the practice's admin signs in
with two-factor, opens Staff, adds a team and a practice nurse (who sets her own password
through the emailed link and signs in), moves her into the team, then deactivates her and
she is signed out and refused. Every page passes axe-core and fits a phone."""

import re

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from joinedup.core.models import AuditEvent, Membership, Role, User
from tests.functional.conftest import Pages

pytestmark = [pytest.mark.browser]

NURSE_PASSWORD = "lantern orchard river twelve"
TEAM = "Long-term conditions team"


def test_practice_admin_runs_the_practice_staff(demo, pages, chromium, live_server):
    borough = demo()
    practice = Membership.objects.get(user__username="admin.practice").organisation

    # Two-factor sign-in: admins set up an authenticator the first time.
    page = pages.sign_in("admin.practice", borough.password)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    pages.check("two_factor_setup")
    device = TOTPDevice.objects.get(user__username="admin.practice")
    page.get_by_label("Security code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(f"You are working for {practice.name}")).to_be_visible()
    pages.check("admin_home")

    # Staff: everyone at the practice, from the header.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Staff").click()
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    for name in ("Helen Ward", "Asha Patel", "Grace Owusu"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_text("3 members of staff")).to_be_visible()
    pages.check("staff")
    page.get_by_label("Name, username or email").fill("owusu")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 member of staff matching “owusu”")).to_be_visible()
    expect(page.get_by_role("link", name="Asha Patel")).to_have_count(0)
    pages.check("staff_search")

    # A team for the practice's long-term conditions work.
    page.get_by_role("link", name="Teams", exact=True).click()
    expect(page.get_by_text("No teams yet")).to_be_visible()
    pages.check("teams_empty")
    page.get_by_label("Team name").fill(TEAM)
    page.get_by_role("button", name="Add team").click()
    expect(page.get_by_text(f"Team {TEAM} added.")).to_be_visible()
    expect(page.get_by_role("cell", name=TEAM)).to_be_visible()
    pages.check("teams")

    # Add a practice nurse: no password typed; she is emailed a link.
    page.get_by_role("link", name="Add a member of staff").click()
    expect(page.get_by_label("Social worker")).to_have_count(0)  # not a practice's role
    page.get_by_role("button", name="Add member of staff").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    pages.check("add_staff_error")
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Sharma")
    page.get_by_label("Username").fill("priya.sharma")
    page.get_by_label("Email address").fill("priya.sharma@joinedup.invalid")
    page.get_by_label("Practice nurse").check()
    pages.check("add_staff")
    page.get_by_role("button", name="Add member of staff").click()
    expect(page.get_by_text("Priya Sharma added as practice nurse")).to_be_visible()
    expect(page.get_by_role("heading", name="Priya Sharma", exact=True)).to_be_visible()
    pages.check("nurse_added")
    message = mail.outbox[-1]
    assert message.to == ["priya.sharma@joinedup.invalid"]
    link = re.search(r"https?://[^/\s]+(/account/set-password\?\S+)", message.body)[1]

    # The nurse, on her own computer, sets her password through the link and signs in.
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    nurse = Pages(context.new_page(), live_server.url, "test_organisation_admin_nurse")
    try:
        her = nurse.goto(link)
        expect(her.get_by_role("heading", name="Set your password")).to_be_visible()
        expect(her.get_by_text("priya.sharma")).to_be_visible()
        nurse.check("set_password")
        her.get_by_label("Choose a password").fill("password")
        her.get_by_label("Type it again").fill("password")
        her.get_by_role("button", name="Set my password").click()
        expect(her.get_by_role("heading", name="There is a problem")).to_be_visible()
        expect(her.get_by_text("too short").first).to_be_visible()
        nurse.check("set_password_error")
        her.get_by_label("Choose a password").fill(NURSE_PASSWORD)
        her.get_by_label("Type it again").fill(NURSE_PASSWORD)
        her.get_by_role("button", name="Set my password").click()
        expect(her.get_by_text("Your password is set")).to_be_visible()
        nurse.check("password_set")
        her.get_by_label("Username").fill("priya.sharma")
        her.get_by_label("Password").fill(NURSE_PASSWORD)
        her.get_by_role("button", name="Sign in").click()
        expect(her.get_by_text(f"You are working for {practice.name}")).to_be_visible()
        expect(her.get_by_text("as practice nurse")).to_be_visible()
        nurse.check("nurse_home")
        nurse.goto(link)  # the link works once
        expect(her.get_by_role("heading", name="This link does not work")).to_be_visible()
        nurse.check("link_used")
        nurse.goto("/")

        # The admin puts her in the team; the staff list says so.
        page.reload()
        expect(page.get_by_text("Last signed in")).to_be_visible()
        page.get_by_label("Team", exact=True).select_option(label=TEAM)
        page.get_by_role("button", name="Save changes").click()
        expect(
            page.get_by_text(f"Saved: Priya Sharma is practice nurse in {TEAM}.")
        ).to_be_visible()
        pages.check("team_changed")
        page.get_by_role("link", name=f"Staff of {practice.name}").click()
        row = page.get_by_role("row").filter(has_text="Priya Sharma")
        expect(row).to_contain_text(TEAM)
        expect(row).to_contain_text("Active")
        pages.check("staff_with_nurse")

        # She leaves: the admin deactivates her, with a reason.
        page.get_by_role("link", name="Priya Sharma").click()
        page.get_by_role("button", name="Deactivate").click()
        expect(page.get_by_role("heading", name="Deactivate Priya Sharma")).to_be_visible()
        page.get_by_role("button", name="Deactivate Priya Sharma").click()
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        pages.check("deactivate_error")
        page.get_by_label("Why do they no longer need access?").fill("Left the practice")
        pages.check("deactivate")
        page.get_by_role("button", name="Deactivate Priya Sharma").click()
        expect(
            page.get_by_text(f"Priya Sharma can no longer work for {practice.name}")
        ).to_be_visible()
        pages.check("nurse_deactivated")
        expect(page.get_by_role("button", name="Reactivate")).to_be_visible()

        # Her next click signs her out; signing in again is refused, saying why.
        her.get_by_role("link", name="Home").first.click()
        expect(her.get_by_role("heading", name="Sign in to joinedup")).to_be_visible()
        nurse.check("nurse_signed_out")
        her.get_by_label("Username").fill("priya.sharma")
        her.get_by_label("Password").fill(NURSE_PASSWORD)
        her.get_by_role("button", name="Sign in").click()
        expect(her.get_by_text("Your account has been deactivated").first).to_be_visible()
        nurse.check("nurse_refused")
    finally:
        context.close()

    nurse_user = User.objects.get(username="priya.sharma")
    assert not nurse_user.is_active
    assert (
        Membership.objects.get(user=nurse_user, organisation=practice).role == Role.PRACTICE_NURSE
    )
    admin = User.objects.get(username="admin.practice")
    done = set(
        AuditEvent.objects.filter(user=admin, organisation=practice).values_list(
            "action", flat=True
        )
    )
    assert {"team.create", "membership.add", "staff.set_password_link", "membership.change",
            "membership.deactivate"} <= done  # fmt: skip
    assert AuditEvent.objects.get(action="membership.deactivate").reason == "Left the practice"
