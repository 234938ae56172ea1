from django.db import models


class SynthRun(models.Model):
    """A load of the demo borough, so that re-running ``joinedup synth`` is safe."""

    seed = models.IntegerField()
    residents = models.PositiveIntegerField()
    finished_at = models.DateTimeField()
    logins = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.residents} residents, seed {self.seed}"
