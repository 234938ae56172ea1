"""``/health`` checks the database, the analytics store and the job queue, says how each went, and
answers 503 naming what failed, so a load balancer stops sending people to a server that
cannot serve them."""

from joinedup.operations import health


def test_all_well(db, client, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ok",
        "checks": {
            "database": {"ok": True},
            "analytics_store": {"ok": True},
            "job_queue": {"ok": True},
        },
    }
    # The store's folder is made if missing; nothing is left in it by the check.
    assert list((tmp_path / "analytics").iterdir()) == []


def test_an_analytics_store_that_cannot_be_written_to_fails(db, client, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    # A file where the store's folder should be: writing fails even as root.
    (tmp_path / "analytics").write_text("not a folder")
    answer = client.get("/health")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "failing" and body["failed"] == ["analytics_store"]
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["analytics_store"]["ok"] is False
    assert str(tmp_path) not in answer.content.decode()  # no paths for the public


def test_a_database_that_does_not_answer_fails(db, client, monkeypatch):
    class Cursor:
        def __enter__(self):
            raise RuntimeError("database unreachable")

        def __exit__(self, *exc):
            return False

    with monkeypatch.context() as patch:
        patch.setattr(health.connection, "cursor", lambda: Cursor())
        answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.json()["failed"] == ["database"]
    assert answer.json()["checks"]["database"]["error"] == "the database did not answer"


def test_a_new_check_is_one_entry(db, client, monkeypatch):
    """How the job queue's check will go in."""

    def job_queue():
        raise health.CheckFailed("no worker has run for 10 minutes")

    monkeypatch.setitem(health.CHECKS, "job_queue", job_queue)
    answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.json()["checks"]["job_queue"] == {
        "ok": False,
        "error": "no worker has run for 10 minutes",
    }


def test_a_job_queue_that_does_not_answer_fails(db, client, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def down():
        raise ConnectionError("Connection refused")

    monkeypatch.setattr(HUEY, "pending_count", down)
    answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.json()["failed"] == ["job_queue"]
    assert answer.json()["checks"]["job_queue"] == {
        "ok": False,
        "error": "the job queue did not answer",
    }
