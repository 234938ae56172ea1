"""The risk of emergency admission model's versions and the scores each population run
gives (``population/risk.py`` trains and scores them; ADR 0017)."""

from django.db import models

from .models import PopulationRun


class RiskModel(models.Model):
    """One trained version of the admission risk model: a logistic regression on
    standardised features, with everything needed to score and to explain it.

    ``features`` lists the feature names in order; ``means`` and ``scales`` standardise
    them; ``coefficients`` are per standardised feature. ``calibration`` is the held-out
    people's deciles of predicted risk (mean predicted, observed share, count). Retraining
    makes a new version, marked active; old versions are kept.
    """

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField()
    # Features as of ``trained_on``, labels in the 12 months after (up to ``as_of``).
    as_of = models.DateField()
    trained_on = models.DateField()
    features = models.JSONField()
    means = models.JSONField()
    scales = models.JSONField()
    coefficients = models.JSONField()
    intercept = models.FloatField()
    training_rows = models.PositiveIntegerField()
    held_out_rows = models.PositiveIntegerField()
    admitted_share = models.FloatField()
    auroc = models.FloatField()
    calibration = models.JSONField(default=list)
    seconds = models.FloatField()
    active = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="risk_model_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"Admission risk model v{self.version} (AUROC {self.auroc:.3f})"


class RiskScore(models.Model):
    """A person's risk of an emergency admission in the next 12 months, as of a population
    run, by one model version, with the features that raise it most (``reasons``: a list of
    ``{"feature", "label", "contribution"}``, largest first)."""

    run = models.ForeignKey(PopulationRun, on_delete=models.CASCADE, related_name="risk_scores")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="risk_scores"
    )
    model = models.ForeignKey(RiskModel, on_delete=models.PROTECT, related_name="scores")
    score = models.FloatField()
    reasons = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="risk_score_unique_person")
        ]

    def __str__(self) -> str:
        return f"Risk of person {self.person_id} (run {self.run_id}): {self.score:.2f}"
