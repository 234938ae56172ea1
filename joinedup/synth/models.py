from django.db import models


class SynthRun(models.Model):
    """A load of the demo borough, so that re-running ``joinedup synth`` is safe."""

    seed = models.IntegerField()
    residents = models.PositiveIntegerField()
    places = models.PositiveSmallIntegerField(default=1)
    finished_at = models.DateTimeField()
    logins = models.JSONField(default=list)

    def __str__(self) -> str:
        places = f", {self.places} places" if self.places > 1 else ""
        return f"{self.residents} residents, seed {self.seed}{places}"
