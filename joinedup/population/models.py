"""Codelists, population runs, per-person profiles and saved cohorts.

Bulk clinical events are not here: they are Parquet files in the analytics store
(``store.py``), read by DuckDB. Only per-person results come back into these tables.
"""

from django.db import models

from joinedup.core.models import Lsoa, Neighbourhood, Organisation


class Codelist(models.Model):
    """A list of SNOMED CT codes in OpenCodelists form, with where it came from."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    source = models.TextField()
    version = models.CharField(max_length=60)
    imported_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.slug} ({self.version})"


class CodelistCode(models.Model):
    codelist = models.ForeignKey(Codelist, on_delete=models.CASCADE, related_name="codes")
    code = models.BigIntegerField()
    term = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["codelist", "code"], name="codelist_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.term}"


class PopulationRun(models.Model):
    """One run of the population engine, as of a date. The current one's profiles are in
    ``PersonProfile``; every run's, current or not, stay in its snapshot (Parquet in the
    analytics store), with its aggregates."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField()
    engine = models.CharField(max_length=20)
    people = models.PositiveIntegerField(default=0)
    events = models.BigIntegerField(default=0)
    seconds = models.FloatField(default=0)
    config = models.JSONField(default=dict)
    current = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Run {self.pk} as of {self.as_of} ({self.engine})"

    @property
    def snapshot_path(self):
        from .store import AnalyticsStore

        return AnalyticsStore().root / "runs" / f"profiles-{self.pk}.parquet"

    @property
    def aggregates_path(self):
        from .store import AnalyticsStore

        return AnalyticsStore().root / "runs" / f"aggregates-{self.pk}.parquet"


class PersonProfile(models.Model):
    """A person's population results from the current run: registers, counts, scores
    and the strata they fall in. Care coordination builds caseloads from these."""

    run = models.ForeignKey(PopulationRun, on_delete=models.CASCADE, related_name="profiles")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="profiles")
    # Condition keys between commas (",asthma,copd,"), so that one LIKE finds a register
    # on SQLite and PostgreSQL alike.
    conditions = models.CharField(max_length=1000, default=",")
    ltc_count = models.PositiveSmallIntegerField()
    multimorbid = models.BooleanField()
    cms = models.FloatField()
    efi = models.FloatField(null=True)
    efi_band = models.CharField(max_length=10, blank=True)
    age = models.PositiveSmallIntegerField()
    age_band = models.CharField(max_length=10)
    sex = models.CharField(max_length=15)
    ethnicity_group = models.CharField(max_length=30)
    imd_quintile = models.PositiveSmallIntegerField(null=True)
    lsoa = models.ForeignKey(Lsoa, null=True, on_delete=models.SET_NULL, related_name="+")
    practice = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    admissions_12m = models.PositiveSmallIntegerField(default=0)
    ae_attendances_12m = models.PositiveSmallIntegerField(default=0)
    # The care programmes whose rule they meet (population.programmes), between commas
    # like the conditions; and whether they are in Core20PLUS (the most deprived fifth, or
    # one of their place's PLUS groups).
    programmes = models.CharField(max_length=500, default=",")
    core20plus = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="profile_unique_person")
        ]
        indexes = [
            models.Index(fields=["run", "multimorbid", "practice"], name="profile_run_mm_practice"),
        ]

    def __str__(self) -> str:
        return f"Profile of person {self.person_id} (run {self.run_id})"

    @property
    def condition_keys(self) -> list[str]:
        return [c for c in self.conditions.split(",") if c]

    @property
    def programme_keys(self) -> list[str]:
        return [p for p in self.programmes.split(",") if p]


class Cohort(models.Model):
    """A named, saved definition, e.g. "3+ LTCs and moderate or severe frailty".

    ``definition`` keys: ``min_ltc_count``, ``conditions_all`` / ``conditions_any`` (condition
    keys), ``efi_bands``, ``min_age``, ``max_age``, ``imd_quintiles``.
    """

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    definition = models.JSONField()

    def __str__(self) -> str:
        return self.name


from .risk_models import RiskModel, RiskScore  # noqa: E402, F401 (Django finds them here)
