"""What the ``joinedup places|lsoas|organisations|staff|people load`` commands share:
running a loader, turning a refused file into the command's error (every bad row), and
the summary line."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from .models import LoadRun


def run_loader(command, load: Callable[[], LoadRun]) -> LoadRun:
    try:
        run = load()
    except ValidationError as exc:
        raise CommandError("\n".join(exc.messages)) from exc
    except OSError as exc:
        raise CommandError(str(exc)) from exc
    command.stdout.write(summary(run))
    return run


def summary(run: LoadRun) -> str:
    parts = [f"{run.created:,} new", f"{run.updated:,} updated", f"{run.unchanged:,} unchanged"]
    if run.ended:
        parts.append(f"{run.ended:,} ended")
    if run.quarantined:
        parts.append(f"{run.quarantined:,} quarantined")
    skipped = getattr(run, "skipped", 0)
    if skipped:
        parts.append(f"{skipped:,} of other places skipped")
    return f"{run.file_name}: {run.rows:,} rows; " + ", ".join(parts) + f" (load {run.pk})"
