"""The queue's task (Huey): run a job by its id."""

from huey.contrib.djhuey import db_task

from . import queue


@db_task(name="joinedup.run_job")
def run_job(job_id: int) -> None:
    queue.execute(job_id)
