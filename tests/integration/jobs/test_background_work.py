"""Long work runs on the job queue: a population run, linkage and directory feed imports,
started from the Jobs page (system admins) or a command's --background, retried when a
provider's server is down."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from joinedup.core.models import AuditEvent
from joinedup.directory.models import FeedImport, Service
from joinedup.jobs.models import Job, JobStatus
from joinedup.population.models import PopulationRun

FEED = [{"id": "lunch", "name": "Lunch club", "organization": {"id": "o1", "name": "Age Well"}}]


class _Feeds(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        if self.path == "/feed.json":
            body, status = json.dumps(FEED).encode(), 200
        else:
            body, status = b"down for maintenance", 503
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feeds():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_an_admin_starts_a_population_run_from_the_jobs_page(
    db, client, django_capture_on_commit_callbacks
):
    from joinedup.core.models import User

    call_command("synth", "--residents", "300", "--seed", "3")
    client.force_login(User.objects.get(username="gp.a"))
    assert client.post(reverse("jobs:start"), {"kind": "population.run"}).status_code == 403
    assert not Job.objects.exists()

    admin = User.objects.get(username="admin.system")
    client.force_login(admin)
    page = client.get(reverse("jobs:jobs")).content.decode()
    for label in ("Population run", "Link records", "Refresh directory feeds"):
        assert label in page
    before = PopulationRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("jobs:start"), {"kind": "population.run"}, follow=True)
    assert "Population run: started." in answer.content.decode()
    item = Job.objects.get(kind="population.run")
    assert item.status == JobStatus.SUCCEEDED, item.error
    assert item.created_by == admin and item.progress  # the run's last step
    assert PopulationRun.objects.count() == before + 1
    assert AuditEvent.objects.filter(action="job.start", user=admin).exists()
    # Only the jobs the page offers can be started from it.
    answer = client.post(reverse("jobs:start"), {"kind": "mail.send"}, follow=True)
    assert "Choose a job to start" in answer.content.decode()
    assert not Job.objects.filter(kind="mail.send").exists()


def test_refreshing_feeds_imports_each_one_and_retries_a_server_that_is_down(
    world, feeds, django_capture_on_commit_callbacks
):
    from joinedup.jobs import queue

    good, down = f"{feeds}/feed.json", f"{feeds}/down.json"
    for source in (good, down, "/srv/feeds/local.json"):
        FeedImport.objects.create(
            source=source, sha256="", shape="oruk-1.0-list", imported_at=timezone.now()
        )
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue("directory.refresh", label="Refresh directory feeds")
    imports = {j.args["source"]: j for j in Job.objects.filter(kind="directory.import")}
    assert set(imports) == {good, down}  # files on the server are not the web's feeds
    assert imports[good].status == JobStatus.SUCCEEDED
    assert Service.objects.filter(name="Lunch club").exists()
    assert imports[down].status == JobStatus.QUEUED and "503" in imports[down].error
    assert imports[down].attempts == 1  # tried again later, waiting longer each time


def test_a_command_can_hand_its_work_to_the_worker(world, capsys):
    call_command("population", "run", "--background")
    item = Job.objects.get(kind="population.run")
    assert f"job {item.pk}" in capsys.readouterr().out
    call_command("identity", "link", "--background")
    assert Job.objects.filter(kind="identity.link").exists()
    call_command("directory", "import", "https://example.org/feed.json", "--background")
    assert Job.objects.get(kind="directory.import").args == {
        "source": "https://example.org/feed.json"
    }
