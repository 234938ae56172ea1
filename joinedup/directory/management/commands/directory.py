import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from joinedup.directory import actions
from joinedup.jobs.queue import hand_to_worker


class Command(BaseCommand):
    help = (
        "Service directory: 'joinedup directory import FILE|URL [--report FILE]' imports an "
        "Open Referral feed (HSDS 3.0 or ORUK 1.0) and says what it rejected and repaired; "
        "'joinedup directory verify-check' asks providers to check out-of-date listings; "
        "'joinedup directory export --out DIR' writes an HSDS 3.0 data package."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["import", "verify-check", "export"])
        parser.add_argument("source", nargs="?")
        parser.add_argument("--report", help="write every rejection and repair here (JSON)")
        parser.add_argument("--out", help="export: the folder to write the data package to")
        parser.add_argument(
            "--background",
            action="store_true",
            help="hand the work to the worker (`joinedup worker`) and return at once",
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="where providers open the links in update requests",
        )

    def handle(self, *args, verb: str, source: str | None, report: str | None, **options):
        if verb == "export":
            from pathlib import Path

            from joinedup.directory.datapackage import write_package

            if not options["out"]:
                raise CommandError("say where to write the data package: --out DIR")
            counts = write_package(Path(options["out"]))
            self.stdout.write(
                f"{options['out']}: HSDS 3.0 data package, {counts['services.csv']:,} services, "
                f"{counts['organizations.csv']:,} organisations, {sum(counts.values()):,} rows"
            )
            return
        if verb == "verify-check":
            from django.urls import reverse

            link_base = options["base_url"].rstrip("/") + reverse("directory:confirm", args=["x"])
            counts = actions.request_updates(by=None, link_base=link_base[:-1])
            self.stdout.write(
                f"{counts['out of date']} listings not checked within the period: "
                f"{counts['asked']} providers asked to check them, {counts['asked recently']} "
                f"asked recently, {counts['no email']} with no email (for the curators' queue)"
            )
            return
        try:
            if not source:
                raise CommandError("say which feed to import: a file or an http(s) URL")
            if options["background"]:
                hand_to_worker(
                    self, "directory.import", label=f"Import {source}", args={"source": source}
                )
                return
            done = actions.import_feed(by=None, source=source)
        except (ValidationError, ValueError) as exc:
            raise CommandError(getattr(exc, "messages", [str(exc)])[0]) from exc
        read = done.created + done.updated + done.unchanged + len(done.rejected)
        repaired = len({r["record"] for r in done.repaired})
        self.stdout.write(
            f"{source} ({done.shape}): {read} records read, {done.created + done.updated} "
            f"imported ({done.created} new, {done.updated} updated), {done.unchanged} "
            f"unchanged, {repaired} repaired ({len(done.repaired)} repairs), "
            f"{len(done.rejected)} rejected"
        )
        for item in done.rejected[:20]:
            self.stdout.write(f"  rejected record {item['record']} ({item['id']}): {item['why']}")
        if report:
            with open(report, "w") as f:
                json.dump({"rejected": done.rejected, "repaired": done.repaired}, f, indent=1)
