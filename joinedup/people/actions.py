"""Every write to residents, their relationships and break-glass access."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from nhs_number import is_valid as nhs_number_is_valid

from joinedup.core.actions import normalise_postcode, record_audit
from joinedup.core.models import Membership, Organisation, OrganisationType, Postcode, User
from joinedup.core.permissions import may_break_glass

from .models import (
    BreakGlass,
    CommunicationNeed,
    Ethnicity,
    Person,
    Relationship,
    RelationshipType,
    Sex,
)
from .validation import clean_birth_date, clean_death_date, clean_nhs_number, search_form

PERSON_FIELDS = (
    "nhs_number",
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "gender_identity",
    "ethnicity",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "registered_practice",
    "phone",
    "email",
    "preferred_language",
    "interpreter_needed",
    "communication_needs",
    "date_of_death",
    "national_data_opt_out",
)

MIN_BREAK_GLASS_REASON = 10


def _clean_person(person: Person, *, today: date) -> None:
    """Validate and derive fields in place; raise ValidationError naming the field."""
    errors: dict[str, list[str]] = {}

    def check(fn):
        try:
            return fn()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            return None

    person.nhs_number = check(lambda: clean_nhs_number(person.nhs_number))
    if person.nhs_number and not errors.get("nhs_number"):
        clash = Person.objects.filter(nhs_number=person.nhs_number).exclude(pk=person.pk)
        if clash.exists():
            errors["nhs_number"] = ["Another person already has this NHS number"]
    person.given_name = (person.given_name or "").strip()
    person.family_name = (person.family_name or "").strip()
    if not person.given_name:
        errors["given_name"] = ["Enter a given name"]
    if not person.family_name:
        errors["family_name"] = ["Enter a family name"]
    birth_date = check(lambda: clean_birth_date(person.birth_date, today=today))
    if birth_date:
        check(lambda: clean_death_date(person.date_of_death, birth_date=birth_date, today=today))
    if person.sex not in Sex.values:
        errors["sex"] = [f"Sex must be one of: {', '.join(Sex.values)}"]
    if person.ethnicity not in Ethnicity.values:
        errors["ethnicity"] = ["Choose an ethnic group from the 2021 Census list"]
    unknown_needs = set(person.communication_needs or []) - set(CommunicationNeed.values)
    if unknown_needs:
        errors["communication_needs"] = [f"Unknown need: {', '.join(sorted(unknown_needs))}"]
    if person.postcode:
        postcode = check(lambda: normalise_postcode(person.postcode))
        if postcode:
            person.postcode = postcode
            known = Postcode.objects.filter(postcode=postcode).values_list("lsoa_id", flat=True)
            lsoa_id = known.first()
            if lsoa_id is None:
                errors["postcode"] = [f"Postcode {postcode} is not in this area's postcode lookup"]
            person.lsoa_id = lsoa_id
    else:
        person.lsoa_id = None
    practice = person.registered_practice
    if practice is not None and practice.type != OrganisationType.GP_PRACTICE:
        errors["registered_practice"] = [f"{practice} is not a GP practice"]
    if errors:
        raise ValidationError(errors)
    person.search_family_name = search_form(person.family_name)
    person.search_given_name = search_form(person.given_name)


@transaction.atomic
def register_person(*, by: User | None, organisation: Organisation | None, **fields) -> Person:
    """Add a resident. Every field is checked first; on any error nothing is saved.

    >>> register_person(by=user, organisation=practice, nhs_number="9434765919",
    ...     given_name="Ada", family_name="Lovelace", birth_date=date(1950, 1, 2), sex="female")
    """
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {', '.join(sorted(unknown))}")
    person = Person(**fields)
    _clean_person(person, today=timezone.localdate())
    person.save()
    record_audit(by=by, organisation=organisation, action="person.create", person_id=person.pk)
    return person


@transaction.atomic
def update_person(
    *,
    by: User | None,
    organisation: Organisation | None,
    person: Person,
    reason: str = "",
    **fields,
) -> Person:
    """Change a resident's details; all or nothing, audited with the fields changed."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {', '.join(sorted(unknown))}")
    changed = sorted(f for f, v in fields.items() if getattr(person, f) != v)
    for field, value in fields.items():
        setattr(person, field, value)
    _clean_person(person, today=timezone.localdate())
    person.save()
    record_audit(
        by=by,
        organisation=organisation,
        action="person.update",
        person_id=person.pk,
        reason=reason,
        detail={"fields": changed},
    )
    return person


@transaction.atomic
def add_relationship(
    *,
    by: User | None,
    organisation: Organisation | None,
    person: Person,
    type: str,
    related_person: Person | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    relationship_description: str = "",
) -> Relationship:
    """Record a carer, next of kin, attorney or emergency contact for ``person``."""
    if type not in RelationshipType.values:
        raise ValidationError({"type": f"Unknown relationship type '{type}'"})
    if related_person is None and not contact_name.strip():
        raise ValidationError({"contact_name": "Name the person or choose a resident"})
    if related_person is not None and related_person.pk == person.pk:
        raise ValidationError({"related_person": "A person cannot be related to themselves"})
    relationship = Relationship.objects.create(
        person=person,
        type=type,
        related_person=related_person,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        relationship_description=relationship_description.strip(),
    )
    record_audit(
        by=by,
        organisation=organisation,
        action="relationship.add",
        person_id=person.pk,
        object_type="relationship",
        object_id=relationship.pk,
        detail={"type": type},
    )
    return relationship


@transaction.atomic
def break_glass(*, by: User, membership: Membership, person_id: int, reason: str) -> BreakGlass:
    """Open one record in an emergency for a limited time. The reason is required and
    audited; only direct-care roles may do this."""
    if membership.user_id != by.pk or not may_break_glass(membership):
        raise PermissionDenied("Your role cannot break glass")
    reason = (reason or "").strip()
    if len(reason) < MIN_BREAK_GLASS_REASON:
        raise ValidationError(
            {"reason": f"Give the reason in at least {MIN_BREAK_GLASS_REASON} characters"}
        )
    if not Person.objects.filter(pk=person_id).exists():
        raise ValidationError({"person": "No such person"})
    now = timezone.now()
    grant = BreakGlass.objects.create(
        user=by,
        organisation=membership.organisation,
        person_id=person_id,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(minutes=settings.JOINEDUP_BREAK_GLASS_MINUTES),
    )
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="person.break_glass",
        person_id=person_id,
        reason=reason,
        detail={"expires_at": grant.expires_at.isoformat(), "role": membership.role},
    )
    return grant


@transaction.atomic
def set_sharing_choices(
    *,
    by: User,
    membership: Membership | None,
    person: Person,
    sensitive_sharing_consent: bool,
    objects_to_sharing: bool,
) -> Person:
    """Record the person's sharing choices, as they told them (staff record them on the
    person's behalf; residents set their own in the portal). Audited."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = {
        "sensitive_sharing_consent": person.sensitive_sharing_consent,
        "objects_to_sharing": person.objects_to_sharing,
    }
    person.sensitive_sharing_consent = bool(sensitive_sharing_consent)
    person.objects_to_sharing = bool(objects_to_sharing)
    person.sharing_choices_changed_at = timezone.now()
    person.save(
        update_fields=[
            "sensitive_sharing_consent",
            "objects_to_sharing",
            "sharing_choices_changed_at",
            "updated_at",
        ]
    )
    record_audit(
        by=by,
        organisation=membership.organisation if membership else None,
        action="person.sharing_choices",
        person_id=person.pk,
        detail={
            "before": before,
            "after": {
                "sensitive_sharing_consent": person.sensitive_sharing_consent,
                "objects_to_sharing": person.objects_to_sharing,
            },
        },
    )
    return person


def record_person_view(
    *, by: User, membership: Membership, person: Person, basis: str, page: str
) -> None:
    """Audit that a record was looked at, and on what basis."""
    record_audit(
        by=by,
        organisation=membership.organisation,
        action=f"person.view.{page}",
        person_id=person.pk,
        detail={"basis": basis, "role": membership.role},
    )


def record_person_views(
    *, by: User, membership: Membership, bases: dict[int, str], page: str
) -> None:
    """Audit that each of these records was looked at (a page of search results), on its
    basis: one event a person, written together."""
    from joinedup.core.models import AuditEvent

    now = timezone.now()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=now,
                user=by,
                organisation=membership.organisation,
                action=f"person.view.{page}",
                person_id=person_id,
                detail={"basis": basis, "role": membership.role},
            )
            for person_id, basis in bases.items()
        ]
    )


@transaction.atomic
def bulk_register_people(
    *,
    by: User | None,
    organisation: Organisation | None,
    rows: list[dict],
    source: str,
    progress=None,
    batch_size: int = 2000,
) -> int:
    """Add many residents at once (imports, the synthetic borough). All or nothing:
    every row is checked first and the first bad one raises ``ValidationError`` naming
    ``source``, row and field. Rows carry the person fields, with ``postcode`` already
    normalised and ``registered_practice_id`` instead of ``registered_practice``.

    One audit event records the load (with its size); per-person events would say
    nothing more.
    """
    today = timezone.localdate()
    lsoa_by_postcode = dict(Postcode.objects.values_list("postcode", "lsoa_id"))
    practices = set(
        Organisation.objects.filter(type=OrganisationType.GP_PRACTICE).values_list("id", flat=True)
    )
    taken = set(Person.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True))
    ethnicities, sexes = set(Ethnicity.values), set(Sex.values)
    people = []
    for index, row in enumerate(rows, start=1):

        def fail(field: str, message: str, index=index):
            raise ValidationError(f"{source} row {index}, field {field}: {message}")

        number = row.get("nhs_number")
        if number:
            if len(number) != 10 or not number.isdecimal() or not nhs_number_is_valid(number):
                fail("nhs_number", f"'{number}' is not a valid NHS number")
            if number in taken:
                fail("nhs_number", "another person already has this NHS number")
            taken.add(number)
        birth_date = row["birth_date"]
        if birth_date > today:
            fail("birth_date", "date of birth is in the future")
        death = row.get("date_of_death")
        if death and (death > today or death < birth_date):
            fail("date_of_death", "date of death is in the future or before birth")
        if row["sex"] not in sexes:
            fail("sex", f"unknown sex '{row['sex']}'")
        if row.get("ethnicity", Ethnicity.NOT_STATED) not in ethnicities:
            fail("ethnicity", f"unknown ethnic group '{row['ethnicity']}'")
        lsoa_id = None
        if row.get("postcode"):
            lsoa_id = lsoa_by_postcode.get(row["postcode"])
            if lsoa_id is None:
                fail("postcode", f"postcode {row['postcode']} is not in the postcode lookup")
        practice_id = row.get("registered_practice_id")
        if practice_id is not None and practice_id not in practices:
            fail("registered_practice", "not a GP practice")
        people.append(
            Person(
                **row,
                lsoa_id=lsoa_id,
                search_family_name=search_form(row["family_name"]),
                search_given_name=search_form(row["given_name"]),
            )
        )
    for start in range(0, len(people), batch_size):
        Person.objects.bulk_create(people[start : start + batch_size])
        if progress:
            progress(min(start + batch_size, len(people)))
    record_audit(
        by=by,
        organisation=organisation,
        action="people.bulk_load",
        object_type="source",
        object_id=source[:60],
        detail={"rows": len(people)},
    )
    return len(people)


# What a registration file does not carry, which a bulk source may add to people loaded.
BULK_DETAILS = ("phone", "communication_needs", "national_data_opt_out")


@transaction.atomic
def bulk_set_details(*, by: User | None, details: dict[int, dict], source: str) -> int:
    """Set details a registration file does not carry ({person id: {field: value}}, of
    ``BULK_DETAILS``) on many people at once (the demo borough's phones, communication
    needs and opt-outs). One audit event records it. One UPDATE per person, sent in
    batches (the ORM's bulk_update spends minutes building a large one)."""
    wanted = {name for values in details.values() for name in values}
    if wanted - set(BULK_DETAILS):
        raise ValidationError(
            f"{source}: only {', '.join(BULK_DETAILS)} can be set in bulk, not "
            f"{', '.join(sorted(wanted - set(BULK_DETAILS)))}"
        )
    needs = set(CommunicationNeed.values)
    fields = {name: Person._meta.get_field(name) for name in BULK_DETAILS}
    groups: dict[tuple[str, ...], list[list]] = {}
    for pk, values in details.items():
        if set(values.get("communication_needs", ())) - needs:
            raise ValidationError(f"{source}: unknown communication needs {values}")
        names = tuple(sorted(values))
        groups.setdefault(names, []).append(
            [fields[n].get_db_prep_save(values[n], connection) for n in names] + [pk]
        )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for names, rows in groups.items():
            if not names:
                continue
            sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names are ours)
                quote(Person._meta.db_table),
                ", ".join(f"{quote(fields[n].column)} = %s" for n in names),
                quote(Person._meta.pk.column),
            )
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])
    record_audit(
        by=by,
        action="people.bulk_details",
        object_type="source",
        object_id=source[:60],
        detail={"people": len(details), "fields": sorted(wanted)},
    )
    return len(details)


@transaction.atomic
def bulk_add_relationships(*, by: User | None, rows: list[dict], source: str) -> int:
    """Add many carer / contact relationships (rows of Relationship fields, by id)."""
    created = Relationship.objects.bulk_create([Relationship(**row) for row in rows], 2000)
    record_audit(
        by=by,
        action="relationships.bulk_load",
        object_type="source",
        object_id=source[:60],
        detail={"rows": len(created)},
    )
    return len(created)
