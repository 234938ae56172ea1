from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from joinedup.care.models import CarePlan
from joinedup.portal import actions
from joinedup.synth.borough import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Resident portal: 'joinedup portal demo' gives three demo residents with a care plan "
        "a portal account, and a carer proxy access to the first, and prints their sign-ins."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["demo"])

    def handle(self, *args, verb: str, **options):
        plans = CarePlan.objects.select_related("person").order_by("-version", "person_id")[:3]
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
        Console().print(table)
