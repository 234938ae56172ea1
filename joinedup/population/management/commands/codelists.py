from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from joinedup.population.actions import import_codelists


class Command(BaseCommand):
    help = "Codelists: 'joinedup codelists import DIR' loads OpenCodelists CSVs (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["import"])
        parser.add_argument("folder")

    def handle(self, *args, verb: str, folder: str, **options):
        try:
            saved = import_codelists(by=None, folder=folder)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        total = sum(c.codes.count() for c in saved)
        self.stdout.write(f"Imported {len(saved)} codelists ({total:,} codes) from {folder}")
