"""A month's indicators, kept: each figure with its numerator and denominator, so any of
them can be worked out again from the CSV export."""

from django.conf import settings
from django.db import models


class OutcomesSnapshot(models.Model):
    """The indicators of one month (``month``: its first day), as last computed."""

    month = models.DateField(unique=True)
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The population run the month's population figures come from (its snapshot).
    run = models.ForeignKey(
        "population.PopulationRun", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    seconds = models.FloatField(default=0)
    # Indicators that could not be worked out for the month, and why.
    missing = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Outcomes {self.month:%Y-%m}"


class IndicatorValue(models.Model):
    """One figure: an indicator for a month, for the system or one place, in total
    (``breakdown`` "") or for one stratum of a breakdown (a practice, an IMD quintile...)."""

    snapshot = models.ForeignKey(OutcomesSnapshot, on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField(max_length=60)
    place = models.CharField(max_length=20, blank=True)  # a place code; "" the whole system
    breakdown = models.CharField(max_length=20, blank=True)
    stratum = models.CharField(max_length=100, blank=True)
    numerator = models.FloatField()
    denominator = models.FloatField()
    value = models.FloatField(null=True)
    lower = models.FloatField(null=True)
    upper = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "indicator", "place", "breakdown", "stratum"],
                name="one_indicator_value",
            )
        ]
        indexes = [models.Index(fields=["indicator", "place", "breakdown"], name="indicator_trend")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.place or 'system'} {self.stratum}: {self.value}"


class BoardPack(models.Model):
    """A board's pack for a month: the staff version (exact figures) and the public one
    (small numbers suppressed), as HTML and PDF in the data directory. The public one is
    served at ``/packs/<token>/`` once the board releases it, never before."""

    board = models.ForeignKey("engagement.Board", on_delete=models.CASCADE, related_name="packs")
    month = models.DateField()
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=32, unique=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "month"], name="one_pack_a_month")]

    def __str__(self) -> str:
        return f"Pack of board {self.board_id} for {self.month:%Y-%m}"

    def path(self, *, public: bool, pdf: bool = False):
        from pathlib import Path

        folder = Path(settings.DATA_DIR) / "packs" / str(self.pk)
        return folder / f"{'public' if public else 'staff'}.{'pdf' if pdf else 'html'}"
