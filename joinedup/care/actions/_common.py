"""What every part of care coordination's writes shares."""

from django.core.exceptions import ValidationError

# The caseload cohort: adults the population run counts as multimorbid (3+ long-term
# conditions by default: ``multimorbidity_threshold`` in the population configuration).
MIN_AGE = 18


class StaleEdit(ValidationError):
    """Someone else changed the record after this edit began: nothing was overwritten."""
