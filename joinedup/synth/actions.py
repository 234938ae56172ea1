"""Loading and replacing the demo borough."""

import shutil
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from joinedup.core.actions import record_audit
from joinedup.core.models import (
    ApiToken,
    AuditEvent,
    LoadChange,
    LoadRun,
    LocalCareNetwork,
    Lsoa,
    Membership,
    Neighbourhood,
    Organisation,
    Place,
    PlaceSettings,
    Postcode,
    System,
    Team,
)
from joinedup.identity.models import AgencyLoad, Merge, ReviewItem, SourceRecord
from joinedup.people.models import BreakGlass, Person, Relationship
from joinedup.population.actions import import_codelists
from joinedup.population.models import Codelist, PersonProfile, PopulationRun
from joinedup.population.store import AnalyticsStore

from .borough import build_borough
from .clinical import STARTER_CODELISTS, write_clinical_records
from .models import SynthRun


def write_demo_clinical_records(*, seed: int, progress=None) -> int:
    """Coded history for every resident, into the analytics store; and the starter
    codelists the engine needs, when none are loaded yet."""
    rows = list(
        Person.objects.order_by("pk").values_list("pk", "birth_date", "sex", "lsoa__imd_decile")
    )
    if not rows:
        return 0
    ids, births, sexes, deciles = (list(c) for c in zip(*rows, strict=True))
    if not Codelist.objects.exists():
        import_codelists(by=None, folder=STARTER_CODELISTS)
    say = progress or (lambda stage, done, total: None)
    return write_clinical_records(
        store=AnalyticsStore(),
        person_ids=np.array(ids, dtype=np.int64),
        birth_dates=births,
        female=np.array([s == "female" for s in sexes]),
        imd_quintile=np.array([(d + 1) // 2 if d else 3 for d in deciles]),
        seed=seed,
        as_of=timezone.localdate(),
        progress=lambda done, total: say("clinical records", done, total),
    )


def default_files() -> Path:
    """Where the demo partnership's files are written unless ``--files`` says."""
    return Path(settings.DATA_DIR) / "demo-files"


def current_run() -> SynthRun | None:
    return SynthRun.objects.order_by("-finished_at").first()


def has_borough() -> bool:
    return System.objects.exists()


@transaction.atomic
def load_demo_borough(
    *, residents: int, seed: int, places: int = 1, files: Path | None = None, progress=None
) -> SynthRun:
    """Write the demo partnership's files into ``files`` (``$JOINEDUP_DATA_DIR/demo-files``
    unless given) and load them; the database must not hold a borough already."""
    if System.objects.exists():
        raise RuntimeError("The database already holds a borough; use --replace to rebuild it")
    logins = build_borough(
        residents=residents, seed=seed, places=places, files=files, progress=progress
    )
    write_demo_clinical_records(seed=seed, progress=progress)
    run = SynthRun.objects.create(
        seed=seed,
        residents=residents,
        places=places,
        finished_at=timezone.now(),
        logins=[login.__dict__ for login in logins],
    )
    record_audit(
        by=None,
        organisation=None,
        action="synth.load",
        object_type="synth_run",
        object_id=run.pk,
        detail={"residents": residents, "seed": seed, "places": places},
    )
    return run


@transaction.atomic
def remove_demo_borough() -> None:
    """Delete everything the generator made (a demo database only)."""
    Person.objects.exclude(merged_into=None).update(merged_into=None)
    from joinedup.care.models import (
        AgendaItem,
        Assessment,
        CarePlan,
        CareTeamMember,
        CaseloadEntry,
        Meeting,
        PlanVersion,
        Task,
    )
    from joinedup.portal.models import Invitation, ResidentAccount

    for model in (
        AuditEvent,
        Invitation,
        ResidentAccount,
        AgendaItem,
        Meeting,
        Assessment,
        Task,
        CareTeamMember,
        PlanVersion,
        CarePlan,
        CaseloadEntry,
        ReviewItem,
        Merge,
        SourceRecord,
        AgencyLoad,
        PersonProfile,
        PopulationRun,
        BreakGlass,
        Relationship,
        Person,
        Postcode,
        ApiToken,
        Membership,
        TOTPDevice,
        Team,
        LoadChange,
        LoadRun,
        PlaceSettings,
    ):
        model.objects.all().delete()
    AnalyticsStore().clear_events("synth-")
    # Linkage models trained on the old borough would not fit the new one.
    shutil.rmtree(Path(settings.DATA_DIR) / "identity", ignore_errors=True)
    get_user_model().objects.filter(email__endswith="@joinedup.invalid").delete()
    for model in (Organisation, Lsoa, Neighbourhood, LocalCareNetwork, Place, System, SynthRun):
        model.objects.all().delete()
