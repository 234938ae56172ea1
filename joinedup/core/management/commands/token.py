from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from joinedup.core.actions import create_api_token
from joinedup.core.models import User


class Command(BaseCommand):
    help = "API tokens: 'joinedup token create --user USERNAME [--ods CODE]' prints a new one."

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["create"])
        parser.add_argument("--user", required=True)
        parser.add_argument("--ods", help="Organisation ODS code (default: the user's first)")

    def handle(self, *args, verb: str, user: str, ods: str | None, **options):
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user called '{user}'")
        memberships = account.memberships.filter(active=True).select_related("organisation")
        if ods:
            memberships = memberships.filter(organisation__ods_code=ods.upper())
        membership = memberships.order_by("organisation__name").first()
        if membership is None:
            raise CommandError(f"'{user}' has no active membership" + (f" at {ods}" if ods else ""))
        try:
            token = create_api_token(by=None, user=account, organisation=membership.organisation)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        self.stdout.write(token)
