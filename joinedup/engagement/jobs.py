"""The engagement app's background jobs (``joinedup.jobs``)."""

from joinedup.jobs.queue import job

from . import actions
from .models import RunStatus, SelectionRun


@job("engagement.selection")
def selection(item, *, run_id: int) -> None:
    """Work out a selection's chances and lottery. Run again after a worker died, it starts
    afresh (the run saves everything in one step at the end); once done, it is not redone."""
    if SelectionRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).exists():
        actions.run_selection(run_id)
