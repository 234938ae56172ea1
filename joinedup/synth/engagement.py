"""The demo borough's citizens' panel: about 1,200 residents who joined, drawn from the
synthetic residents with the skew real panels have (older and less deprived people join
more often), so the representativeness page has something to show."""

from datetime import date

import numpy as np

from joinedup.engagement import actions
from joinedup.engagement.models import PanelMember
from joinedup.people.models import Person

AGE_BANDS = ((16, "16-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"), (55, "55-64"),
             (65, "65-74"), (75, "75+"))  # fmt: skip
GROUP = {"A": "asian", "B": "black", "M": "mixed", "W": "white", "O": "other"}


def _band(born: date, today: date) -> str | None:
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    found = None
    for low, band in AGE_BANDS:
        if age >= low:
            found = band
    return found


def build_panel(*, size: int = 1200, seed: int = 1, today: date | None = None) -> int:
    """Add the demo panel (once: does nothing if there is a panel already)."""
    if PanelMember.objects.exists():
        return 0
    today = today or date.today()
    rng = np.random.default_rng(seed)
    people = list(
        Person.objects.filter(date_of_death=None, merged_into=None)
        .exclude(lsoa=None)
        .values_list(
            "given_name",
            "family_name",
            "birth_date",
            "sex",
            "ethnicity",
            "postcode",
            "lsoa_id",
            "lsoa__imd_decile",
            "pk",
        )  # fmt: skip
    )
    candidates, weights = [], []
    for row in people:
        band = _band(row[2], today)
        if band is None:
            continue
        # Older and less deprived residents answer more often.
        weight = (1.0 + 0.25 * [b for _, b in AGE_BANDS].index(band)) * (0.6 + 0.08 * row[7])
        candidates.append((row, band))
        weights.append(weight)
    if not candidates:
        return 0
    p = np.array(weights) / sum(weights)
    picks = rng.choice(len(candidates), size=min(size, len(candidates)), replace=False, p=p)
    members = []
    for j in picks:
        (given, family, _, sex, ethnicity, postcode, lsoa_id, _, pk), band = candidates[int(j)]
        say = rng.random()
        members.append(
            {
                "given_name": given,
                "family_name": family,
                "email": f"panel.{pk}@example.invalid",
                "contact_by": "email",
                "postcode": postcode,
                "lsoa_id": lsoa_id,
                "age_band": band,
                "sex": sex if sex in ("female", "male") else "not_said",
                "ethnic_group": "not_said" if say < 0.04 else GROUP.get(ethnicity[:1], "not_said"),
                "disability": "yes" if say < 0.22 else "no",
                "lgbt": "yes" if rng.random() < 0.06 else ("not_said" if say > 0.9 else "no"),
                "carer": "yes" if rng.random() < 0.15 else "no",
            }
        )
    return actions.add_demo_members(members=members)
