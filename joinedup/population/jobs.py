"""The population app's background jobs (``joinedup.jobs``)."""

from datetime import date

from joinedup.jobs.queue import job, report

from . import actions


@job("population.run", start="Population run")
def population_run(item, *, engine: str = "duckdb", as_of: str | None = None) -> None:
    """A population run: all-or-nothing (the new profiles replace the old in one
    transaction), so a run cut short by a dead worker is simply run again."""
    actions.run_population(
        by=item.created_by,
        engine=engine,
        as_of=date.fromisoformat(as_of) if as_of else None,
        progress=lambda step: report(item, step),
    )
