"""Overlapping person extracts from five agencies of the demo borough, corrupted the way
real extracts are, with a ground-truth file saying who each record really is.

Corruptions: missing and mistyped NHS numbers, nicknames, typos in names, married-name
changes, day and month swapped, mistyped or missing dates of birth, moved addresses,
malformed postcodes, missing sex, and people the borough does not know (no GP here).
"""

import csv
from datetime import date
from pathlib import Path

import numpy as np

from joinedup.core.models import Organisation, OrganisationType
from joinedup.identity.names import NICKNAMES
from joinedup.people.models import Person

from . import names

# (organisation type, share of residents known, share without NHS number, date format)
AGENCIES = (
    (OrganisationType.ACUTE_TRUST, 0.30, 0.05, "%Y-%m-%d"),
    (OrganisationType.COMMUNITY_TRUST, 0.10, 0.10, "%Y-%m-%d"),
    (OrganisationType.MENTAL_HEALTH_TRUST, 0.06, 0.15, "%Y-%m-%d"),
    (OrganisationType.ADULT_SOCIAL_CARE, 0.08, 0.40, "%d/%m/%Y"),
    (OrganisationType.VOLUNTARY, 0.05, 0.85, "%d/%m/%Y"),
)
NICKNAME_OF: dict[str, str] = {}
for nick, full in NICKNAMES.items():
    NICKNAME_OF.setdefault(full, nick)
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 3:
        return word
    i = int(rng.integers(1, len(word) - 1))
    if rng.random() < 0.5:  # transpose two letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + LETTERS[int(rng.integers(0, 26))] + word[i + 1 :]


def _nickname(name: str) -> str:
    nick = NICKNAME_OF.get(name.lower())
    return nick.capitalize() if nick else name


def write_agency_extracts(out: Path, *, seed: int = 1, scale: float = 1.0) -> list[Path]:
    """Write ``<agency>.csv`` for five agencies and ``truth.csv`` (agency, local_id,
    person_id: empty for people not registered in the borough). Returns the extracts."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    people = list(
        Person.objects.order_by("pk").values_list(
            "pk",
            "nhs_number",
            "given_name",
            "family_name",
            "birth_date",
            "sex",
            "postcode",
            "address_line1",
        )
    )
    postcodes = sorted({p[6] for p in people if p[6]})
    truth_rows, paths = [], []
    for kind, share, no_nhs, date_format in AGENCIES:
        agency = Organisation.objects.filter(type=kind).order_by("pk").first()
        n = int(len(people) * share * scale)
        chosen = rng.choice(len(people), size=min(n, len(people)), replace=False)
        rows = []
        for k, index in enumerate(chosen):
            pk, nhs, given, family, born, sex, postcode, address = people[index]
            r = rng.random(12)
            nhs_out = "" if r[0] < no_nhs else nhs
            if nhs_out and r[1] < 0.01:
                nhs_out = nhs_out[:-1] + str((int(nhs_out[-1]) + 1) % 10)  # wrong check digit
            if r[2] < 0.05:
                given = _nickname(given)
            if r[3] < 0.05:
                given = _typo(given, rng)
            if r[4] < 0.05:
                family = _typo(family, rng)
            if sex == "female" and r[5] < 0.03:
                family = names.FAMILY["british"][int(rng.integers(0, 40))]  # married name
            born_out: date | None = born
            if r[6] < 0.02 and born.day <= 12 and born.day != born.month:
                born_out = date(born.year, born.day, born.month)
            elif r[6] < 0.03:
                born_out = None
            if r[7] < 0.08:
                postcode = postcodes[int(rng.integers(0, len(postcodes)))]
                address = f"{int(rng.integers(1, 200))} {names.STREETS[int(rng.integers(0, 30))]}"
            if r[8] < 0.01:
                postcode = postcode.replace(" ", "")[:3] + " ABC"  # malformed
            if r[9] < 0.05:
                sex = ""
            local_id = f"{agency.ods_code or 'VCS'}-{k + 1:07d}"
            rows.append(
                [
                    local_id,
                    nhs_out,
                    given,
                    family,
                    born_out.strftime(date_format) if born_out else "",
                    {"male": "M", "female": "F"}.get(sex, ""),
                    postcode,
                    address,
                ]
            )
            truth_rows.append([agency.name, local_id, pk])
        # People the borough's GP practices do not know (visitors, unregistered).
        for j in range(max(1, n // 30)):
            local_id = f"{agency.ods_code or 'VCS'}-X{j + 1:06d}"
            given = names.GIVEN["european"]["male"][int(rng.integers(0, 20))]
            family = names.FAMILY["european"][int(rng.integers(0, 24))] + "ova"
            born = date(
                int(rng.integers(1930, 2005)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
            )
            rows.append(
                [
                    local_id,
                    "",
                    given,
                    family,
                    born.strftime(date_format),
                    "M",
                    "ZZ9 9ZZ",
                    "1 Elsewhere Road",
                ]
            )
            truth_rows.append([agency.name, local_id, ""])
        path = out / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(
                [
                    "local_id",
                    "nhs_number",
                    "given_name",
                    "family_name",
                    "date_of_birth",
                    "sex",
                    "postcode",
                    "address",
                ]
            )
            writer.writerows(rows)
        paths.append(path)
    with (out / "truth.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["agency", "local_id", "person_id"])
        writer.writerows(truth_rows)
    return paths


def agency_for(path: Path) -> Organisation:
    """The organisation an extract written by ``write_agency_extracts`` belongs to."""
    return Organisation.objects.filter(type=path.stem).order_by("pk").first()
