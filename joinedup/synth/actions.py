"""Loading and replacing the demo borough."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from joinedup.core.actions import record_audit
from joinedup.core.models import (
    ApiToken,
    AuditEvent,
    LocalCareNetwork,
    Lsoa,
    Membership,
    Neighbourhood,
    Organisation,
    Place,
    Postcode,
    System,
    Team,
)
from joinedup.people.models import BreakGlass, Person, Relationship

from .borough import build_borough
from .models import SynthRun


def current_run() -> SynthRun | None:
    return SynthRun.objects.order_by("-finished_at").first()


def has_borough() -> bool:
    return System.objects.exists()


@transaction.atomic
def load_demo_borough(*, residents: int, seed: int, progress=None) -> SynthRun:
    """Load the borough; the database must not hold one already."""
    if System.objects.exists():
        raise RuntimeError("The database already holds a borough; use --replace to rebuild it")
    logins = build_borough(residents=residents, seed=seed, progress=progress)
    run = SynthRun.objects.create(
        seed=seed, residents=residents, finished_at=timezone.now(),
        logins=[login.__dict__ for login in logins],
    )  # fmt: skip
    record_audit(by=None, organisation=None, action="synth.load", object_type="synth_run",
                 object_id=run.pk, detail={"residents": residents, "seed": seed})  # fmt: skip
    return run


@transaction.atomic
def remove_demo_borough() -> None:
    """Delete everything the generator made (a demo database only)."""
    for model in (AuditEvent, BreakGlass, Relationship, Person, Postcode, ApiToken, Membership,
                  TOTPDevice, Team):  # fmt: skip
        model.objects.all().delete()
    get_user_model().objects.filter(email__endswith="@joinedup.invalid").delete()
    for model in (Organisation, Lsoa, Neighbourhood, LocalCareNetwork, Place, System, SynthRun):
        model.objects.all().delete()
