"""Jobs, in the test's own process: retries with doubling delays, the reaper, and the Jobs
page (system admins only)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.core.models import AuditEvent, Role
from joinedup.jobs import queue
from joinedup.jobs.models import Job, JobStatus

CALLS = []


@queue.job("test.flaky")
def flaky(item, *, fail_times: int) -> None:
    CALLS.append(item.pk)
    if item.attempts <= fail_times:
        raise RuntimeError(f"attempt {item.attempts} failed")
    queue.report(item, "all done")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


def test_a_failing_job_waits_longer_each_time_then_fails(db, settings):
    settings.JOBS_RETRY_SECONDS = 30
    item = queue.enqueue("test.flaky", label="Flaky", args={"fail_times": 9}, max_attempts=3)
    waits = []
    for attempt in (1, 2, 3):
        queue.execute(item.pk)
        item.refresh_from_db()
        assert item.attempts == attempt and f"attempt {attempt} failed" in item.error
        if attempt < 3:
            assert item.status == JobStatus.QUEUED
            waits.append(round((item.run_after - timezone.now()).total_seconds()))
    assert waits == [30, 60]
    assert item.status == JobStatus.FAILED and item.finished_at is not None
    assert [queue.backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [30, 60, 120, 3600]


def test_a_job_runs_once_however_often_it_is_sent(db):
    item = queue.enqueue("test.flaky", label="Flaky", args={"fail_times": 0})
    queue.execute(item.pk)
    queue.execute(item.pk)  # sent twice (the reaper and the queue): run once
    item.refresh_from_db()
    assert item.status == JobStatus.SUCCEEDED and CALLS == [item.pk]
    assert item.progress == "all done"


def test_the_reaper_restarts_a_job_without_a_heartbeat(db, settings):
    settings.JOBS_STALE_SECONDS = 60
    item = queue.enqueue("test.flaky", label="Flaky", args={"fail_times": 0})
    old = timezone.now() - timedelta(seconds=61)
    Job.objects.filter(pk=item.pk).update(status=JobStatus.RUNNING, attempts=1, heartbeat_at=old)
    alive = queue.enqueue("test.flaky", label="Alive", args={"fail_times": 0})
    Job.objects.filter(pk=alive.pk).update(
        status=JobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    assert queue.reap() == {"restarted": 1, "resent": 0}
    item.refresh_from_db()
    assert item.status == JobStatus.QUEUED and "worker running it stopped" in item.error
    assert Job.objects.get(pk=alive.pk).status == JobStatus.RUNNING


def test_the_jobs_page_is_for_system_admins_and_reruns_a_failed_job(
    world, client, django_capture_on_commit_callbacks
):
    item = queue.enqueue("test.flaky", label="Flaky job", args={"fail_times": 1}, max_attempts=1)
    queue.execute(item.pk)
    item.refresh_from_db()
    assert item.status == JobStatus.FAILED

    client.force_login(world.user(Role.GP, world.practice_a))
    assert client.get(reverse("jobs:jobs")).status_code == 403
    assert client.post(reverse("jobs:rerun", args=[item.pk])).status_code == 403

    admin = world.user(Role.SYSTEM_ADMIN, world.icb)
    client.force_login(admin)
    assert "Jobs" in client.get(reverse("core:home")).content.decode()
    page = client.get(reverse("jobs:jobs") + "?status=failed").content.decode()
    assert "Flaky job" in page and "Failed (1)" in page and "attempt 1 failed" in page
    assert 'aria-label="Run again: Flaky job"' in page
    Job.objects.filter(pk=item.pk).update(args={"fail_times": 0})  # the cause was put right
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("jobs:rerun", args=[item.pk]), follow=True)
    assert "Flaky job: sent to run again." in answer.content.decode()
    item.refresh_from_db()
    assert item.status == JobStatus.SUCCEEDED and item.attempts == 1  # run at once (tests)
    assert AuditEvent.objects.filter(action="job.rerun", object_id=str(item.pk)).exists()


def test_emails_are_not_offered_to_run_again(world, client):
    from joinedup.core.mail import Mail, send_after_commit

    send_after_commit([Mail(to="a@example.org", subject="x", body="y")], what="test emails")
    item = Job.objects.get(kind="mail.send")
    Job.objects.filter(pk=item.pk).update(status=JobStatus.FAILED, args={})
    client.force_login(world.user(Role.SYSTEM_ADMIN, world.icb))
    page = client.get(reverse("jobs:jobs")).content.decode()
    assert "Test emails (1 email)" in page and 'aria-label="Run again' not in page
