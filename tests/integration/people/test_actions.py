from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.core.models import AuditEvent
from joinedup.people import actions
from joinedup.people.models import Person, RelationshipType


def test_a_resident_gets_lsoa_deprivation_neighbourhood_and_network(world):
    person = world.person(postcode="ju1 1aa", practice=world.practice_a)
    person.refresh_from_db()
    assert person.postcode == "JU1 1AA"
    assert person.lsoa == world.lsoa_a
    assert person.imd_quintile == 1
    assert person.neighbourhood == world.hood_a
    assert person.network.code == "LCNN"
    assert person.nhs_number_display[3] == " " and len(person.nhs_number_display) == 12
    assert AuditEvent.objects.filter(action="person.create", person_id=person.pk).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nhs_number", "9434765910", "check digit"),
        ("nhs_number", "94347659", "10 digits"),
        ("nhs_number", "94347A5919", "only digits"),
        ("postcode", "ZZ9 9ZZ", "not in this area"),
        ("postcode", "not a postcode", "not a UK postcode"),
        ("birth_date", date.today() + timedelta(days=1), "past"),
        ("sex", "x", "Sex must be"),
        ("ethnicity", "martian", "2021 Census"),
        ("given_name", "  ", "given name"),
        ("communication_needs", ["telepathy"], "Unknown need"),
        ("registered_practice", "icb", "not a GP practice"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, field, value, message):
    if value == "icb":
        value = world.icb
    before = (Person.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        world.person(**{field: value})
    assert message in " ".join(caught.value.message_dict[field])
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_duplicate_nhs_numbers_are_refused(world):
    first = world.person()
    with pytest.raises(ValidationError) as caught:
        world.person(nhs_number=first.nhs_number, given_name="Other")
    assert "already has this NHS number" in caught.value.message_dict["nhs_number"][0]
    assert Person.objects.count() == 1


def test_no_nhs_number_is_allowed_and_not_unique_clash(world):
    world.person(nhs_number="")
    world.person(nhs_number=None, given_name="Bo")
    assert Person.objects.filter(nhs_number=None).count() == 2


def test_update_is_audited_with_the_fields_changed(world):
    person = world.person()
    user = world.user("gp")
    actions.update_person(
        by=user, organisation=world.practice_a, person=person, postcode="JU2 2BB", reason="moved"
    )
    assert person.lsoa == world.lsoa_b
    event = AuditEvent.objects.get(action="person.update")
    assert event.detail == {"fields": ["postcode"]} and event.user == user


def test_update_with_a_bad_value_changes_nothing(world):
    person = world.person()
    with pytest.raises(ValidationError):
        actions.update_person(by=None, organisation=None, person=person, nhs_number="123")
    person.refresh_from_db()
    assert len(person.nhs_number) == 10


def test_a_carer_is_a_person_in_their_own_right(world):
    cared_for = world.person()
    carer = world.person(given_name="Carl", family_name="Carer", birth_date=date(1980, 5, 5))
    rel = actions.add_relationship(
        by=None,
        organisation=None,
        person=cared_for,
        type=RelationshipType.CARER,
        related_person=carer,
        relationship_description="son",
    )
    assert rel.name == "Carl Carer"
    assert carer.related_to.get().person == cared_for
    with pytest.raises(ValidationError):
        actions.add_relationship(
            by=None,
            organisation=None,
            person=carer,
            type=RelationshipType.CARER,
            related_person=carer,
        )
    with pytest.raises(ValidationError, match="Name the person"):
        actions.add_relationship(
            by=None, organisation=None, person=carer, type=RelationshipType.NEXT_OF_KIN
        )


def test_death_date_checks(world):
    with pytest.raises(ValidationError) as caught:
        world.person(date_of_death=date(1900, 1, 1))
    assert "date_of_death" in caught.value.message_dict
    person = world.person(date_of_death=timezone.localdate())
    assert person.date_of_death


def _row(world, **fields):
    row = {
        "nhs_number": world.nhs_number(),
        "given_name": "A",
        "family_name": "B",
        "birth_date": date(1960, 1, 1),
        "sex": "male",
        "postcode": "JU1 1AA",
        "registered_practice_id": world.practice_a.pk,
    }
    row.update(fields)
    return row


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"nhs_number": "9434765910"}, "nhs_number"),
        ({"birth_date": date(2999, 1, 1)}, "birth_date"),
        ({"postcode": "ZZ9 9ZZ"}, "postcode"),
        ({"sex": "?"}, "sex"),
    ],
)
def test_bulk_load_is_all_or_nothing_and_names_the_row(world, bad, field):
    rows = [_row(world), _row(world), _row(world, **bad)]
    with pytest.raises(ValidationError) as caught:
        actions.bulk_register_people(by=None, organisation=None, rows=rows, source="extract.csv")
    assert f"extract.csv row 3, field {field}" in caught.value.messages[0]
    assert Person.objects.count() == 0


def test_bulk_load_refuses_duplicates_within_the_file(world):
    row = _row(world)
    with pytest.raises(ValidationError, match="row 2, field nhs_number"):
        actions.bulk_register_people(
            by=None, organisation=None, rows=[row, dict(row)], source="extract.csv"
        )
