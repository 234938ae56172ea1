"""The risk of emergency admission model (ADR 0017): trained a year back on the synthetic
record, evaluated on held-out people, versioned, and shown with its reasons."""

from datetime import date

import numpy as np
import pyarrow as pa
import pytest
from django.core.management import call_command
from django.urls import reverse

from joinedup.core.models import AuditEvent
from joinedup.population import actions, risk
from joinedup.population.codelists import read_codelist_dir
from joinedup.population.config import load_config
from joinedup.population.models import PersonProfile, RiskModel, RiskScore
from joinedup.population.store import PERSON_SCHEMA, AnalyticsStore
from joinedup.synth.clinical import STARTER_CODELISTS, write_clinical_records

AS_OF = date(2026, 6, 30)


def synthetic_store(root, n) -> AnalyticsStore:
    store = AnalyticsStore(root)
    rng = np.random.default_rng(5)
    ids = np.arange(1, n + 1, dtype=np.int64)
    birth = (AS_OF - date(1970, 1, 1)).days - rng.integers(0, 95 * 365, n)
    female = rng.random(n) < 0.5
    imd = rng.integers(1, 6, n)
    write_clinical_records(
        store=store,
        person_ids=ids,
        birth_dates=birth,
        female=female,
        imd_quintile=imd,
        seed=4,
        as_of=AS_OF,
    )
    store.write_persons(
        pa.table(
            {
                "person_id": ids,
                "nhs_number": pa.nulls(n, pa.string()),
                "birth_date": pa.array(birth.astype("int32"), pa.date32()),
                "date_of_death": pa.nulls(n, pa.date32()),
                "sex": np.where(female, "female", "male"),
                "ethnicity": ["W_BRITISH"] * n,
                "imd_quintile": pa.array(imd.astype("int8")),
                "lsoa_id": pa.nulls(n, pa.int64()),
                "practice_id": ids % 5 + 1,
                "practice": [f"Z0000{i % 5 + 1}" for i in ids],
                "neighbourhood_id": ids % 3 + 1,
                "neighbourhood": [f"NH{i % 3 + 1}" for i in ids],
                "lcn": ["LCN1"] * n,
                "place": pa.nulls(n, pa.string()),
            },
            schema=PERSON_SCHEMA,
        )
    )
    return store


def starter_codelists() -> dict[str, list[int]]:
    return {c.slug: [code for code, _ in c.codes] for c in read_codelist_dir(STARTER_CODELISTS)}


def test_trained_a_year_back_it_ranks_held_out_people_well(tmp_path):
    config = load_config()
    store = synthetic_store(tmp_path / "store", 8000)
    table = risk.feature_table(
        store=store,
        config=config,
        codelists=starter_codelists(),
        as_of=risk.training_date(AS_OF),
        labels=True,
    )
    assert table.num_rows > 7000
    fitted = risk.fit(table, risk.feature_names(config))
    # The synthetic admissions depend on conditions, age, frailty and prior admissions
    # (synth/clinical.py): the model finds that signal in people it never saw.
    assert fitted.auroc > 0.7
    assert fitted.held_out_rows == table.num_rows - fitted.training_rows
    assert 0.2 * table.num_rows < fitted.held_out_rows < 0.3 * table.num_rows
    deciles = fitted.calibration
    assert len(deciles) == 10 and sum(d["people"] for d in deciles) == fitted.held_out_rows
    assert deciles[-1]["observed"] > 3 * deciles[0]["observed"]
    # Calibrated in the large; by tenths only roughly (the synthetic admissions are a
    # Poisson count, not a logistic model: the calibration table shows where it is off).
    predicted = sum(d["predicted"] * d["people"] for d in deciles) / fitted.held_out_rows
    observed = sum(d["observed"] * d["people"] for d in deciles) / fitted.held_out_rows
    assert abs(predicted - observed) < 0.03
    assert all(abs(d["predicted"] - d["observed"]) < 0.15 for d in deciles)
    weight = dict(zip(fitted.features, fitted.coefficients, strict=True))
    assert weight["admissions_12m"] > 0 and weight["ltc_count"] > 0


def test_the_reasons_are_the_largest_contributions_that_raise_the_risk():
    model = risk.Fitted(
        features=["age", "admissions_12m", "female", "condition_copd"],
        means=[50.0, 0.5, 0.5, 0.1],
        scales=[10.0, 1.0, 0.5, 0.3],
        coefficients=[0.5, 0.8, -0.2, 0.3],
        intercept=-2.0,
        training_rows=0,
        held_out_rows=0,
        admitted_share=0.1,
        auroc=0.5,
        calibration=[],
    )
    x = np.array([[70.0, 1.0, 1.0, 1.0], [30.0, 0.0, 0.0, 0.0]])
    parts = risk.contributions(model, x)
    # age +1.0, admissions +0.4, female -0.2, COPD +0.9
    assert parts[0].round(3).tolist() == [1.0, 0.4, -0.2, 0.9]
    reasons = risk.reasons(model, x[0], parts[0])
    assert risk.all_reasons(model, x, parts) == [reasons, risk.reasons(model, x[1], parts[1])]
    assert [r["feature"] for r in reasons] == ["age", "condition_copd", "admissions_12m"]
    assert risk.predict(model, x)[0] == pytest.approx(1 / (1 + np.exp(-(-2.0 + 2.1))))
    # Only what raises the risk is a reason: the young man has one (being male).
    assert [r["feature"] for r in risk.reasons(model, x[1], parts[1])] == ["female"]
    config = load_config()
    assert risk.reason_text(reasons[2], config) == "1 admission in the last 12 months"
    assert risk.reason_text(reasons[1], config) == "COPD"
    sensitive = {"feature": "condition_smi", "value": 1.0, "contribution": 0.5}
    assert risk.reason_text(sensitive, config, show_sensitive=False) is None


@pytest.fixture
def borough(db):
    call_command("synth", "--residents", "1500", "--seed", "2")
    actions.run_population(by=None)


def test_a_retrain_makes_a_new_version_and_keeps_the_old(borough, settings):
    first = actions.train_risk_model(by=None)
    run = PersonProfile.objects.filter(run__current=True).first().run
    assert RiskScore.objects.filter(run=run, model=first).count() == run.profiles.count()
    second = actions.train_risk_model(by=None)
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert not first.active and second.active
    assert list(RiskModel.objects.filter(active=True)) == [second]
    assert set(RiskScore.objects.values_list("model", flat=True)) == {second.pk}
    for version in (1, 2):
        assert (
            settings.DATA_DIR / "population" / "risk-models" / f"model-{version:04d}.json"
        ).exists()
    assert AuditEvent.objects.filter(action="population.risk_model.train").count() == 2
    # A new population run is scored with the active model.
    report = actions.run_population(by=None)
    assert RiskScore.objects.filter(run=report.run, model=second).count() == report.run.people
    assert not RiskScore.objects.exclude(run=report.run).exists()


def test_the_command_prints_auroc_and_calibration(borough, capsys):
    call_command("population", "train-risk")
    out = capsys.readouterr().out
    assert "Admission risk model v1" in out and "AUROC" in out and "Calibration" in out


def test_the_score_and_reasons_are_shown_only_with_the_profile(borough, client):
    from joinedup.core.models import User

    actions.train_risk_model(by=None)
    gp = User.objects.get(username="gp.b")
    practice = gp.memberships.get().organisation
    score = (
        RiskScore.objects.filter(person__registered_practice=practice)
        .exclude(reasons=[])
        .order_by("-score")
        .first()
    )
    client.force_login(gp)
    page = client.get(reverse("people:summary", args=[score.person_id])).content.decode()
    assert "Risk of emergency admission in 12 months" in page
    assert f"{score.score * 100:.0f}%" in page and "main reasons:" in page
    # Someone from another practice, with no relationship to the person, sees nothing.
    other = (
        RiskScore.objects.exclude(person__registered_practice=practice).order_by("-score").first()
    )
    response = client.get(reverse("people:summary", args=[other.person_id]))
    assert "Risk of emergency admission" not in response.content.decode()
