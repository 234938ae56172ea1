from .config import load_config
from .models import PersonProfile


def profile_panel(person):
    """The person's registers and scores from the current population run."""
    profile = (
        PersonProfile.objects.filter(person=person, run__current=True).select_related("run").first()
    )
    if profile is None:
        return None
    labels = {c.key: c.label for c in load_config().conditions}
    return (
        "population/profile_panel.jinja",
        {
            "profile": profile,
            "condition_labels": [labels.get(k, k) for k in profile.condition_keys],
        },
    )
