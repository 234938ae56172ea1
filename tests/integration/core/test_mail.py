"""Emails leave only after what they link to is saved, and one refused address never stops
the rest (``core.mail``)."""

import re

import pytest
from django.core import mail
from django.db import transaction

from joinedup.core.models import Role
from joinedup.engagement import actions
from joinedup.engagement.actions.surveys import find_invitation
from joinedup.jobs import queue
from joinedup.jobs.models import Job, JobStatus

QUESTIONS = "How do you get to your GP?\n- Walk\n- Bus\n- Car\n"
MEMBER = {
    "given_name": "Ada",
    "family_name": "Okafor",
    "postcode": "JU1 1AA",
    "contact_by": "email",
    "age_band": "65-74",
    "sex": "female",
    "ethnic_group": "black",
    "disability": "no",
    "lgbt": "not_said",
    "carer": "yes",
    "consent": "yes",
}


@pytest.fixture
def panel(world, django_capture_on_commit_callbacks):
    addresses = ["a@example.org", "b@refused.example", "c@example.org", "d@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        for address in addresses:
            actions.join_panel(data={**MEMBER, "email": address}, link_base="/leave/")
    mail.outbox.clear()
    officer = world.user(Role.ENGAGEMENT_OFFICER, world.practice_a)
    survey = actions.create_survey(
        by=officer, data={"title": "Access", "questions": QUESTIONS, "days": "14"}
    )
    return officer, survey


def test_a_refused_address_does_not_stop_the_rest_and_every_link_works(
    panel, settings, django_capture_on_commit_callbacks, caplog
):
    officer, survey = panel
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        result = actions.send_survey(by=officer, survey=survey, link_base="/s/")
    assert result["emailed"] == 4
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a@example.org",
        "c@example.org",
        "d@example.org",
    ]
    for message in mail.outbox:
        token = re.search(r"/s/(\S+)", message.body)[1]
        assert find_invitation(token) is not None
    assert "Email 2 of 4 (survey invitations) not sent: SMTPRecipientsRefused" in caplog.text
    assert "refused.example" not in caplog.text  # addresses are personal data

    # The job waits to try the refused one again, and only that one.
    job = Job.objects.get(label__startswith="Survey")
    assert job.status == JobStatus.QUEUED and job.attempts == 1 and job.run_after > job.created_at
    assert [m["to"] for m in job.args["mails"]] == ["b@refused.example"]
    assert job.progress == "3 of 4 sent" and "NotAllSent" in job.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue.execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert job.args == {}  # the single-use links it held are not kept
    assert sorted(m.to[0] for m in mail.outbox)[1] == "b@refused.example"


def test_nothing_is_sent_when_what_it_links_to_is_not_saved(
    panel, django_capture_on_commit_callbacks
):
    officer, survey = panel
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                actions.send_survey(by=officer, survey=survey, link_base="/s/")
                raise RuntimeError("the database went away before the commit")
    assert not mail.outbox and not Job.objects.filter(label__startswith="Survey").exists()
    survey.refresh_from_db()
    assert survey.sent_at is None
