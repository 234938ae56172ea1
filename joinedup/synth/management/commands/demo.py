"""``joinedup demo care|portal|directory|engagement``: the demo borough's activity, each
once, after ``joinedup synth`` (as ``make demo`` runs them). Demo data is made here only:
no product app imports ``synth``."""

import json
from time import perf_counter

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table


class Command(BaseCommand):
    help = (
        "The demo borough's activity: 'joinedup demo care' (plans, care teams, tasks, MDT "
        "meetings), 'demo portal' (residents' and a carer's portal sign-ins), 'demo "
        "directory [--services N] [--seed S]' (the directory), 'demo engagement' (panel, "
        "assemblies, survey, events, feedback, boards)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="part", required=True)
        sub.add_parser("care", help="plans, care teams, tasks, MDT meetings and reviews")
        sub.add_parser("portal", help="three residents' portal accounts and a carer's")
        directory = sub.add_parser("directory", help="the demo directory of services")
        directory.add_argument("--services", type=int, default=330)
        directory.add_argument("--seed", type=int, default=1)
        sub.add_parser(
            "engagement", help="the panel, assemblies, survey, events, feedback and boards"
        )

    def handle(self, *args, part: str, **options):
        getattr(self, f"_{part}")(**options)

    def _care(self, **options):
        from joinedup.synth.care import seed_care

        started = perf_counter()
        counts = seed_care()
        if counts.get("skipped"):
            self.stdout.write("The demo already has care activity: left as it is.")
            return
        self.stdout.write(
            f"Demo care: {counts['plans']} plans, {counts['assessments']} assessments, "
            f"{counts['team']} care-team places, {counts['tasks']} tasks and referrals, "
            f"{counts['meetings']} MDT meetings, {counts['reviews']} reviews asked for "
            f"in {perf_counter() - started:.1f} s"
        )

    def _portal(self, **options):
        from joinedup.care.models import CarePlan
        from joinedup.portal import actions
        from joinedup.synth.borough import DEMO_PASSWORD

        ordered = CarePlan.objects.select_related("person").order_by("-version", "person_id")
        plans = list(ordered[:3])
        # One resident is registered at the demo's first practice (gp.a's and the practice
        # nurse's), so that their journeys meet a resident who uses the portal.
        from joinedup.core.models import Membership

        practice = (
            Membership.objects.filter(user__username="gp.a", organisation__type="gp_practice")
            .values_list("organisation_id", flat=True)
            .first()
        )
        theirs = ordered.filter(person__registered_practice_id=practice).first()
        if theirs is not None and theirs not in plans:
            plans = [*plans[:2], theirs]
        table = Table(title=f"Resident logins at /portal/ (password for all: {DEMO_PASSWORD})")
        table.add_column("Email")
        table.add_column("Resident")
        accounts = []
        for n, plan in enumerate(plans, start=1):
            email = f"resident{n}@joinedup.invalid"
            accounts.append(
                actions.create_demo_account(person=plan.person, email=email, password=DEMO_PASSWORD)
            )
            table.add_row(email, plan.person.full_name)
        if accounts:
            carer = actions.create_demo_carer(
                email="carer@joinedup.invalid",
                name="Sam Carter",
                password=DEMO_PASSWORD,
                cares_for=accounts[0].person,
            )
            table.add_row(carer.email, f"Sam Carter, carer of {accounts[0].person.full_name}")
        Console(file=self.stdout).print(table)

    def _directory(self, *, services: int, seed: int, **options):
        from joinedup.directory import actions
        from joinedup.synth.directory import directory_feed, link_partners

        feed = directory_feed(services=services, seed=seed)
        done = actions.import_feed(by=None, source="demo directory", data=json.dumps(feed).encode())
        linked = link_partners()
        self.stdout.write(
            f"demo directory: {done.created + done.updated} services imported "
            f"({done.created} new), {len(done.rejected)} rejected; {linked} directory "
            "organisations take referrals in joinedup"
        )

    def _engagement(self, **options):
        from joinedup.synth.engagement import build_engagement, build_panel

        added = build_panel()
        self.stdout.write(f"citizens' panel: {added} demo members added")
        figures = build_engagement(say=self.stdout.write)
        for name, value in figures.items():
            self.stdout.write(f"{name}: {value}")
