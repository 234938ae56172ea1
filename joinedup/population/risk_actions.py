"""The admission risk model's writes: train and save a new version, and score a population
run with the active one (re-exported by ``actions.py``; ADR 0017)."""

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from time import perf_counter

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.models import User

from . import risk
from .config import PopulationConfig, load_config
from .models import PersonProfile, PopulationRun
from .risk_models import RiskModel, RiskScore
from .store import AnalyticsStore


def model_path(version: int) -> Path:
    """Where a version is also written as JSON, as the linkage model is
    (``identity.actions.model_path``): ``$JOINEDUP_DATA_DIR/population/risk-models``."""
    return Path(settings.DATA_DIR) / "population" / "risk-models" / f"model-{version:04d}.json"


def active_model() -> RiskModel | None:
    return RiskModel.objects.filter(active=True).first()


def train_risk_model(
    *,
    by: User | None,
    as_of: date | None = None,
    store: AnalyticsStore | None = None,
    config: PopulationConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> RiskModel:
    """Train a new version on features a year before ``as_of`` (today by default) and
    admissions in the year after, evaluate it on held-out people, save it as the active
    version (the old ones are kept) and score the current population run with it."""
    from .actions import codelist_codes, export_persons

    say = progress or (lambda step: None)
    store = store or AnalyticsStore()
    config = config or load_config()
    as_of = as_of or timezone.localdate()
    say("exporting people")
    export_persons(store)
    started = perf_counter()
    say("features")
    table = risk.feature_table(
        store=store,
        config=config,
        codelists=codelist_codes(),
        as_of=risk.training_date(as_of),
        labels=True,
    )
    say("fitting")
    fitted = risk.fit(table, risk.feature_names(config))
    model = _save_model(by=by, fitted=fitted, as_of=as_of, seconds=perf_counter() - started)
    run = PopulationRun.objects.filter(current=True).first()
    if run is not None:
        say("scoring")
        score_run(by=by, run=run, store=store, config=config)
    return model


@transaction.atomic
def _save_model(*, by, fitted: risk.Fitted, as_of: date, seconds: float) -> RiskModel:
    latest = RiskModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
    RiskModel.objects.filter(active=True).update(active=False)
    model = RiskModel.objects.create(
        version=latest + 1,
        trained_at=timezone.now(),
        as_of=as_of,
        trained_on=risk.training_date(as_of),
        seconds=round(seconds, 3),
        active=True,
        **asdict(fitted),
    )
    path = model_path(model.version)
    path.parent.mkdir(parents=True, exist_ok=True)
    card = {
        "version": model.version,
        "trained_at": model.trained_at.isoformat(),
        "as_of": as_of.isoformat(),
        "trained_on": model.trained_on.isoformat(),
        "seconds": model.seconds,
        **asdict(fitted),
    }
    path.write_text(json.dumps(card, indent=1))
    record_audit(
        by=by,
        action="population.risk_model.train",
        object_type="risk_model",
        object_id=model.pk,
        detail={"version": model.version, "auroc": round(fitted.auroc, 4), "as_of": str(as_of)},
    )
    return model


def score_run(
    *,
    by: User | None,
    run: PopulationRun,
    store: AnalyticsStore | None = None,
    config: PopulationConfig | None = None,
    model: RiskModel | None = None,
) -> int:
    """Score everyone profiled in ``run`` with the active model (none: nothing is done),
    as of the run's date. Returns the number of people scored."""
    from .actions import codelist_codes

    model = model or active_model()
    if model is None:
        return 0
    config = config or load_config()
    table = risk.feature_table(
        store=store or AnalyticsStore(),
        config=config,
        codelists=codelist_codes(),
        as_of=run.as_of,
        labels=False,
    )
    if list(model.features) != risk.feature_names(config):
        raise ValueError(
            f"Risk model v{model.version} has other features than the population definitions: "
            "train a new version (joinedup population train-risk)"
        )
    x = risk.matrix(table, model.features)
    scores = risk.predict(model, x)
    parts = risk.contributions(model, x)
    reasons = risk.all_reasons(model, x, parts)
    profiled = set(PersonProfile.objects.filter(run=run).values_list("person_id", flat=True))
    rows = [
        RiskScore(run=run, person_id=person_id, model=model, score=score, reasons=reasons[i])
        for i, (person_id, score) in enumerate(
            zip(table.column("person_id").to_pylist(), scores.round(4).tolist(), strict=True)
        )
        if person_id in profiled
    ]
    return _save_scores(by=by, run=run, model=model, rows=rows)


@transaction.atomic
def _save_scores(*, by, run, model, rows) -> int:
    # One run's scores at a time, as its profiles are (the current run's).
    RiskScore.objects.exclude(run__current=True).delete()
    RiskScore.objects.filter(run=run).delete()
    RiskScore.objects.bulk_create(rows, batch_size=5000)
    record_audit(
        by=by,
        action="population.risk_model.score",
        object_type="population_run",
        object_id=run.pk,
        detail={"version": model.version, "people": len(rows)},
    )
    return len(rows)
