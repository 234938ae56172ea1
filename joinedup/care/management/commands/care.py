from time import perf_counter

from django.core.management.base import BaseCommand
from rich.console import Console

from joinedup.care import actions


class Command(BaseCommand):
    help = (
        "Care coordination: 'joinedup care build-caseload' puts the current population run's "
        "cohort (adults with 3+ long-term conditions) on the caseload and refreshes priorities; "
        "'joinedup care review-check' (daily) raises review tasks for plans whose review date "
        "has come or whose person's carer changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["build-caseload", "review-check"])

    def handle(self, *args, verb: str, **options):
        console = Console()
        started = perf_counter()
        if verb == "build-caseload":
            counts = actions.build_caseload(by=None)
            console.print(
                f"Caseload: {counts['cohort']:,} in the cohort, {counts['added']:,} added, "
                f"{counts['refreshed']:,} refreshed, {counts['reviews']:,} reviews raised by "
                f"changes in {perf_counter() - started:.1f} s"
            )
        else:  # review-check
            counts = actions.check_review_triggers()
            console.print(
                f"Reviews: {counts['due']:,} plans due, {counts['carer_changes']:,} carer "
                f"changes, {counts['reviews']:,} review tasks raised in "
                f"{perf_counter() - started:.1f} s"
            )
