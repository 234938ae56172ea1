"""Citizens' assembly set-up: the assembly, its pool (from the panel or replies) and quotas."""

import math

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from joinedup.core.actions import postcode_or_blank, record_audit
from joinedup.core.csv_input import CsvRows, refused_as
from joinedup.core.forms import first_errors
from joinedup.core.models import Postcode

from ..models import CATEGORIES, HELD, Assembly, PanelMember, Quota, Respondent
from ..queries import category_values, population_shares

REPLY_PROFILE = ("age_band", "sex", "ethnic_group", "disability", "carer", "lgbt")


@transaction.atomic
def create_assembly(*, by, name: str, question: str, size, categories: list[str]) -> Assembly:
    errors = {}
    name, question = " ".join(str(name).split())[:200], str(question).strip()
    if not name:
        errors["name"] = "Enter a name for the assembly"
    if not question:
        errors["question"] = "Enter the question the assembly will answer"
    try:
        size = int(str(size).strip())
        if not 5 <= size <= 500:
            raise ValueError
    except ValueError:
        errors["size"] = "Enter the number of members, a whole number from 5 to 500"
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown or not categories:
        errors["categories"] = "Choose at least one category for the quotas"
    if errors:
        raise ValidationError(errors)
    assembly = Assembly.objects.create(
        name=name,
        question=question,
        size=size,
        categories=[c for c in CATEGORIES if c in categories],
        created_at=timezone.now(),
        created_by=by,
    )
    record_audit(
        by=by,
        action="engagement.assembly.create",
        object_type="assembly",
        object_id=assembly.pk,
    )
    return assembly


def _profile(values: dict[str, str], lsoa) -> dict[str, str]:
    profile = {c: values.get(c, "not_said") for c in REPLY_PROFILE}
    profile["imd_quintile"] = str((lsoa.imd_decile + 1) // 2) if lsoa else "unknown"
    hood = lsoa.neighbourhood if lsoa else None
    profile["neighbourhood"] = hood.code if hood else "unknown"
    return profile


def _household(address: str, postcode: str) -> str:
    return " ".join(f"{address} {postcode}".lower().replace(",", " ").split())[:320]


@transaction.atomic
def add_pool_from_panel(*, by, assembly: Assembly) -> int:
    """Every current panel member not already in the pool joins it (they agreed to be
    invited to events when they joined)."""
    _not_selected_yet(assembly)
    already = set(
        assembly.respondents.exclude(panel_member=None).values_list("panel_member", flat=True)
    )
    members = PanelMember.objects.filter(withdrawn_at=None).select_related("lsoa__neighbourhood")
    rows = [
        Respondent(
            assembly=assembly,
            panel_member=m,
            reference=f"panel-{m.pk}",
            given_name=m.given_name,
            family_name=m.family_name,
            email=m.email,
            phone=m.phone,
            address=m.address,
            postcode=m.postcode,
            household=_household(m.address, m.postcode) if m.address else "",
            profile=_profile({c: getattr(m, c) for c in REPLY_PROFILE}, m.lsoa),
        )
        for m in members
        if m.pk not in already
    ]
    Respondent.objects.bulk_create(rows, batch_size=1000)
    record_audit(
        by=by,
        action="engagement.assembly.pool.panel",
        object_type="assembly",
        object_id=assembly.pk,
        detail={"added": len(rows)},
    )
    return len(rows)


REPLY_COLUMNS = ("id", "given_name", "family_name", "email", "phone", "address", "postcode")


@refused_as(ValidationError)
@transaction.atomic
def add_replies(*, by, assembly: Assembly, text: str, name: str = "replies") -> int:
    """Residents who replied to an invitation letter, from a CSV with the columns
    ``id, given_name, family_name, email, phone, address, postcode`` and the profile
    (``age_band, sex, ethnic_group, disability, carer, lgbt``, the values of the panel
    form). All rows or none; each error names its row."""
    _not_selected_yet(assembly)
    reader = CsvRows(text, name)
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in (*REPLY_COLUMNS, *REPLY_PROFILE) if c not in columns]
    if missing:
        raise ValidationError(f"{name}: no column for {', '.join(missing)}")
    reader.fieldnames = columns
    allowed = {c: {v for v, _ in category_values(c)} for c in REPLY_PROFILE}
    seen = set(assembly.respondents.values_list("reference", flat=True))
    postcodes = {}
    rows, errors = [], []
    for number, raw in enumerate(reader, start=2):
        row = {k: " ".join(str(v or "").split()) for k, v in raw.items() if k}
        where = f"{name} row {number}"
        reference = row["id"][:40]
        problems = []
        if not reference:
            problems.append("no id")
        elif reference in seen:
            problems.append(f"id {reference} is already in the pool")
        seen.add(reference)
        if not row["given_name"] or not row["family_name"]:
            problems.append("a first and last name are needed")
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                problems.append(f"email {row['email'][:60]!r} is not an email address")
        if not (row["email"] or row["phone"] or row["address"]):
            problems.append("no way to contact them (email, phone or address)")
        code = postcode_or_blank(row["postcode"])
        if code not in postcodes:
            postcodes[code] = (
                Postcode.objects.filter(postcode=code).select_related("lsoa__neighbourhood").first()
                if code
                else None
            )
        if postcodes[code] is None:
            problems.append(f"postcode {row['postcode'][:10]!r} is not in the borough")
        for category in REPLY_PROFILE:
            if row[category] not in allowed[category]:
                problems.append(
                    f"{category} {row[category][:20]!r} is not one of "
                    f"{', '.join(sorted(allowed[category]))}"
                )
        if problems:
            errors.append(f"{where}: {'; '.join(problems)}")
            continue
        rows.append(
            Respondent(
                assembly=assembly,
                reference=reference,
                given_name=row["given_name"][:100],
                family_name=row["family_name"][:100],
                email=row["email"].lower()[:254],
                phone=row["phone"][:30],
                address=row["address"][:300],
                postcode=code,
                household=_household(row["address"], code) if row["address"] else "",
                profile=_profile(row, postcodes[code].lsoa),
            )
        )
    if errors:
        raise ValidationError(first_errors(errors))
    if not rows:
        raise ValidationError(f"{name}: no replies in the file")
    Respondent.objects.bulk_create(rows, batch_size=1000)
    record_audit(
        by=by,
        action="engagement.assembly.pool.replies",
        object_type="assembly",
        object_id=assembly.pk,
        detail={"added": len(rows), "file": name[:60]},
    )
    return len(rows)


def _not_selected_yet(assembly: Assembly) -> None:
    if assembly.respondents.filter(status__in=[*HELD, "declined", "withdrawn"]).exists():
        raise ValidationError(
            "Members have already been chosen: the pool and quotas are fixed (replacements "
            "come from the same pool)"
        )


def suggest_quotas(*, by, assembly: Assembly, slack: float = 0.1) -> int:
    """Quotas in proportion to the borough's population (adults 16+, or loaded census
    shares), each allowing ±10% of its share of seats and at least one seat either way;
    categories without population figures follow the pool."""
    shares = population_shares()
    pool = list(assembly.respondents.values_list("profile", flat=True))
    rows = []
    for category in assembly.categories:
        known = shares.get(category)
        values = category_values(category)
        if not known:
            counts = {}
            for p in pool:
                counts[p.get(category)] = counts.get(p.get(category), 0) + 1
            total = sum(n for v, n in counts.items() if v not in ("not_said", "unknown"))
            known = {v: n / total for v, n in counts.items() if total and v not in ("not_said",)}
        for value, _ in values:
            if value in ("not_said", "unknown"):
                rows.append((category, value, 0, assembly.size))
                continue
            expected = known.get(value, 0.0) * assembly.size
            spread = max(1.0, slack * expected)
            rows.append(
                (
                    category,
                    value,
                    max(0, math.floor(expected - spread)),
                    min(assembly.size, math.ceil(expected + spread)),
                )
            )
    return set_quotas(by=by, assembly=assembly, rows=rows)


@transaction.atomic
def set_quotas(*, by, assembly: Assembly, rows: list[tuple]) -> int:
    """Replace the assembly's quotas with ``(category, value, low, high)`` rows (numbers
    may be text from a form). Checks each row, and that each category's minimums and
    maximums can make a panel of the assembly's size."""
    _not_selected_yet(assembly)
    errors = []
    labels = {c: dict(category_values(c)) for c in assembly.categories}
    clean = []
    for category, value, low, high in rows:
        where = f"{CATEGORIES.get(category, category)} {labels.get(category, {}).get(value, value)}"
        if category not in labels:
            errors.append(f"{category} is not a category of this assembly")
            continue
        if value not in labels[category]:
            errors.append(f"{category}: {value!r} is not one of its values")
            continue
        try:
            low, high = int(str(low).strip()), int(str(high).strip())
        except ValueError:
            errors.append(f"{where}: the minimum and maximum must be whole numbers")
            continue
        if low < 0 or high < 0:
            errors.append(f"{where}: the minimum and maximum cannot be negative")
        elif low > high:
            errors.append(f"{where}: the minimum ({low}) is more than the maximum ({high})")
        clean.append((category, value, low, high))
    for category in assembly.categories:
        mine = [r for r in clean if r[0] == category]
        if not mine:
            errors.append(f"{CATEGORIES[category]}: no quotas")
            continue
        low, high = sum(r[2] for r in mine), sum(r[3] for r in mine)
        if low > assembly.size:
            errors.append(
                f"{CATEGORIES[category]}: the minimums add up to {low}, more than the "
                f"{assembly.size} members"
            )
        if high < assembly.size:
            errors.append(
                f"{CATEGORIES[category]}: the maximums add up to {high}, fewer than the "
                f"{assembly.size} members"
            )
    if errors:
        raise ValidationError(errors)
    assembly.quotas.all().delete()
    Quota.objects.bulk_create(
        [
            Quota(
                assembly=assembly,
                category=c,
                value=v,
                label=labels[c][v][:100],
                low=lo,
                high=hi,
            )
            for c, v, lo, hi in clean
        ]
    )
    record_audit(
        by=by,
        action="engagement.assembly.quotas",
        object_type="assembly",
        object_id=assembly.pk,
        detail={"quotas": len(clean)},
    )
    return len(clean)
