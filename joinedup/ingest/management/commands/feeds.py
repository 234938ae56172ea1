from django.core.management.base import BaseCommand, CommandError
from rich.console import Console


class Command(BaseCommand):
    help = (
        "Live feeds from other systems: 'joinedup feeds adt --listen HOST:PORT' takes a "
        "hospital's HL7 v2 ADT messages over MLLP (admissions, transfers, discharges, A&E "
        "attendances, updates and cancellations) until stopped; 'joinedup feeds adt --retry' "
        "tries again the kept messages that matched nobody or could not be applied."
    )

    def add_arguments(self, parser):
        parser.add_argument("feed", choices=["adt"])
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--listen", metavar="HOST:PORT")
        what.add_argument("--retry", action="store_true")

    def handle(self, *args, feed: str, listen: str | None, retry: bool, **options):
        from joinedup.ingest import actions, mllp

        console = Console()
        if retry:
            counts = actions.retry_adt(by=None)
            console.print(
                f"{counts['tried']:,} kept messages tried again, {counts['applied']:,} applied."
            )
            return
        host, _, port = listen.rpartition(":")
        if not host or not port.isdecimal() or int(port) > 65535:
            raise CommandError(f"--listen {listen}: give HOST:PORT, e.g. 0.0.0.0:2575")

        def ready(address):
            # Printed plainly and flushed: a supervisor (or a test) reads the port from it.
            self.stdout.write(
                f"Listening for HL7 v2 ADT over MLLP on {address[0]}:{address[1]} "
                "(Ctrl-C or SIGTERM stops)"
            )
            self.stdout.flush()

        counts = mllp.listen(host.strip("[]"), int(port), ready=ready)
        console.print(
            f"Stopped: {counts['messages']:,} messages acknowledged over "
            f"{counts['connections']:,} connections."
        )
