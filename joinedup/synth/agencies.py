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
from joinedup.people.models import CommunicationNeed, Person, Relationship, RelationshipType

from . import names

# (organisation type, share of residents known, share without NHS number, date format)
AGENCIES = (
    (OrganisationType.ACUTE_TRUST, 0.30, 0.05, "%Y-%m-%d"),
    (OrganisationType.COMMUNITY_TRUST, 0.10, 0.10, "%Y-%m-%d"),
    (OrganisationType.MENTAL_HEALTH_TRUST, 0.06, 0.15, "%Y-%m-%d"),
    (OrganisationType.ADULT_SOCIAL_CARE, 0.08, 0.40, "%d/%m/%Y"),
    (OrganisationType.VOLUNTARY, 0.05, 0.85, "%d/%m/%Y"),
)
# Agencies that record communication needs and carers.
SOCIAL = (
    OrganisationType.COMMUNITY_TRUST,
    OrganisationType.ADULT_SOCIAL_CARE,
    OrganisationType.VOLUNTARY,
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


def _carer_names() -> dict[int, str]:
    """Person id → the name of their carer."""
    out = {}
    for person_id, given, family, contact in Relationship.objects.filter(
        type=RelationshipType.CARER, ended_at__isnull=True
    ).values_list(
        "person_id", "related_person__given_name", "related_person__family_name", "contact_name"
    ):
        out.setdefault(person_id, f"{given} {family}" if given else contact)
    return out


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
            "phone",
            "preferred_language",
            "interpreter_needed",
            "communication_needs",
        )
    )
    carers = _carer_names()
    need_labels = dict(CommunicationNeed.choices)
    postcodes = sorted({p[6] for p in people if p[6]})
    truth_rows, paths = [], []
    for kind, share, no_nhs, date_format in AGENCIES:
        agency = Organisation.objects.filter(type=kind).order_by("pk").first()
        n = int(len(people) * share * scale)
        chosen = rng.choice(len(people), size=min(n, len(people)), replace=False)
        rows = []
        for k, index in enumerate(chosen):
            pk, nhs, given, family, born, sex, postcode, address, *known = people[index]
            phone, language, interpreter, needs = known
            r = rng.random(14)
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
                family = names.family_name("british", rng.random())  # married name
            born_out: date | None = born
            if r[6] < 0.02 and born.day <= 12 and born.day != born.month:
                born_out = date(born.year, born.day, born.month)
            elif r[6] < 0.03:
                born_out = None
            if r[7] < 0.08:
                postcode = postcodes[int(rng.integers(0, len(postcodes)))]
                address = f"{int(rng.integers(1, 80))} {names.street_for(postcode)}"
            if r[8] < 0.01:
                postcode = postcode.replace(" ", "")[:3] + " ABC"  # malformed
            if r[9] < 0.05:
                sex = ""
            # What else they know: usually the same phone (sometimes a newer one), the
            # language, communication needs in their own words, the carer's name.
            if r[10] < 0.1:
                phone = f"07700 9{int(rng.integers(0, 100_000)):05d}"
            elif r[10] > 0.85:
                phone = ""
            needs_text = "; ".join(need_labels.get(n, n) for n in needs)
            if kind in SOCIAL and born.year < 1950 and r[11] < 0.05:
                needs_text = "; ".join(filter(None, [needs_text, "Large print"]))
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
                    phone,
                    language if language != "English" else "",
                    {True: "yes", False: "no"}[interpreter] if language != "English" else "",
                    needs_text if kind in SOCIAL else "",
                    carers.get(pk, "") if kind in SOCIAL and r[12] < 0.9 else "",
                ]
            )
            truth_rows.append([agency.name, local_id, pk])
        # People the borough's GP practices do not know (visitors, unregistered).
        for j in range(max(1, n // 30)):
            local_id = f"{agency.ods_code or 'VCS'}-X{j + 1:06d}"
            given = names.given_name("european", "male", rng.random())
            family = names.family_name("european", rng.random())
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
                    "",
                    "",
                    "",
                    "",
                    "",
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
                    "phone",
                    "language",
                    "interpreter_needed",
                    "communication_needs",
                    "carer",
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
