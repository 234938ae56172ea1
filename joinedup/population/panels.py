from .config import load_config
from .programmes import programme_labels
from .queries import current_profile
from .risk import reason_text
from .risk_models import RiskScore


def profile_panel(person, *, show_sensitive: bool = True):
    """The person's registers and scores from the current population run."""
    profile = current_profile(person)
    if profile is None:
        return None
    labels, withheld = load_config().condition_labels(
        profile.condition_keys, show_sensitive=show_sensitive
    )
    programmes, programmes_withheld = programme_labels(
        profile.programme_keys, show_sensitive=show_sensitive
    )
    risk = RiskScore.objects.filter(run=profile.run, person=person).first()
    risk_reasons = []
    if risk is not None:
        texts = [reason_text(r, load_config(), show_sensitive=show_sensitive) for r in risk.reasons]
        risk_reasons = [t for t in texts if t] + (
            ["a sensitive condition"] if None in texts else []
        )
    return (
        "population/profile_panel.jinja",
        {
            "profile": profile,
            "condition_labels": labels,
            "withheld": withheld,
            "programmes": programmes,
            "programmes_withheld": programmes_withheld,
            "risk": risk,
            "risk_reasons": risk_reasons,
        },
    )
