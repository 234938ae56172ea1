from datetime import date
from pathlib import Path
from time import perf_counter

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from joinedup.jobs.queue import hand_to_worker
from joinedup.population import actions, exports


class Command(BaseCommand):
    help = (
        "Population: 'joinedup population run [--engine duckdb] [--as-of YYYY-MM-DD]' computes "
        "registers, scores and aggregates (as of a past date: kept as a snapshot only); "
        "'joinedup population backfill --months 12 [--replace]' keeps a snapshot as of the end "
        "of each past month; 'joinedup population export --out DIR' writes people.csv and "
        "aggregates.csv (small numbers suppressed); 'joinedup population train-risk [--as-of "
        "YYYY-MM-DD]' trains a new version of the admission risk model."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["run", "backfill", "export", "train-risk"])
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument(
            "--replace", action="store_true", help="backfill: run again months that have a run"
        )
        parser.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
        parser.add_argument("--as-of", type=date.fromisoformat)
        parser.add_argument("--out")
        parser.add_argument(
            "--background",
            action="store_true",
            help="hand the work to the worker (`joinedup worker`) and return at once",
        )

    def handle(self, *args, verb: str, engine: str, as_of, out, **options):
        console = Console(stderr=False)
        if verb == "run" and options["background"]:
            hand_to_worker(
                self,
                "population.run",
                label="Population run" + (f" as of {as_of}" if as_of else ""),
                args={"engine": engine, "as_of": as_of.isoformat() if as_of else None},
            )
        elif verb == "run":
            started = perf_counter()
            with console.status("Population run") as status:
                try:
                    report = actions.run_population(
                        by=None,
                        engine=engine,
                        as_of=as_of,
                        progress=lambda step: status.update(f"Population run: {step}"),
                    )
                except (ValidationError, ValueError) as exc:
                    messages = getattr(exc, "messages", [str(exc)])
                    raise CommandError(messages[0]) from exc
            run, result = report.run, report.result
            console.print(
                f"Run {run.pk} as of {run.as_of}: {run.people:,} people, {run.events:,} events; "
                f"engine {result.seconds:.1f} s ({run.events / max(result.seconds, 1e-9):,.0f} "
                f"events/s), profiles saved in {report.saved_seconds:.1f} s; "
                f"{perf_counter() - started:.1f} s in all."
            )
        elif verb == "backfill":
            started = perf_counter()
            with console.status("Backfill") as status:
                try:
                    done = actions.backfill_months(
                        by=None,
                        months=options["months"],
                        engine=engine,
                        replace=options["replace"],
                        progress=lambda step: status.update(f"Backfill: {step}"),
                    )
                except (ValidationError, ValueError) as exc:
                    messages = getattr(exc, "messages", [str(exc)])
                    raise CommandError(messages[0]) from exc
            for run in done.runs:
                console.print(f"Run {run.pk} as of {run.as_of}: {run.people:,} people")
            if done.skipped:
                console.print(
                    f"Skipped {len(done.skipped)} months that have a run already "
                    f"({', '.join(d.strftime('%Y-%m') for d in done.skipped)}; --replace runs them)"
                )
            console.print(f"{len(done.runs)} snapshots in {perf_counter() - started:.1f} s.")
        elif verb == "train-risk":
            self.train_risk(console, as_of)
        else:
            if not out:
                raise CommandError("--out DIR is required for export")
            try:
                people, aggregates = exports.export_run(Path(out))
            except ValidationError as exc:
                raise CommandError(exc.messages[0]) from exc
            console.print(f"Wrote {people} and {aggregates}")

    def train_risk(self, console, as_of) -> None:
        with console.status("Admission risk model") as status:
            try:
                model = actions.train_risk_model(
                    by=None,
                    as_of=as_of,
                    progress=lambda step: status.update(f"Admission risk model: {step}"),
                )
            except (ValidationError, ValueError) as exc:
                messages = getattr(exc, "messages", [str(exc)])
                raise CommandError(messages[0]) from exc
        console.print(
            f"Admission risk model v{model.version}: features as of {model.trained_on}, "
            f"admissions to {model.as_of}; {model.training_rows:,} people trained on, "
            f"{model.held_out_rows:,} held out; AUROC {model.auroc:.3f} on the held out; "
            f"{model.seconds:.1f} s."
        )
        console.print("Calibration (held out, tenths by predicted risk): predicted / observed")
        for row in model.calibration:
            console.print(
                f"  {row['decile']:>2}: {row['predicted']:6.1%} / {row['observed']:6.1%} "
                f"({row['people']:,} people)"
            )
