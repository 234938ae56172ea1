from django.core.management.base import BaseCommand

from joinedup.core.loader_command import run_loader
from joinedup.core.loaders import load_staff


class Command(BaseCommand):
    help = (
        "Staff: 'joinedup staff load FILE.csv [--site URL]' (username,name,email,organisation,"
        "role[,team]); new staff are emailed a single-use link to set their password, and staff "
        "missing from a later file lose access at once; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["load"])
        parser.add_argument("file")
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="where staff open the link to set their password",
        )

    def handle(self, *args, verb: str, file: str, site: str, **options):
        run_loader(self, lambda: load_staff(by=None, path=file, site=site))
