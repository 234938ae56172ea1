"""The identity app's background jobs (``joinedup.jobs``)."""

from joinedup.jobs.queue import job, report

from . import actions


@job("identity.link", start="Link records")
def link(item, *, retrain: bool = False) -> None:
    """Link every record not yet linked. Incremental: run again after a worker died, it
    links what the first attempt did not."""
    actions.link(by=item.created_by, retrain=retrain, progress=lambda step: report(item, step))
