"""People in the JSON API: the same access rule and audit as the pages."""

from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema
from ninja.errors import HttpError

from . import access, actions

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    nhs_number: str | None
    given_name: str
    family_name: str
    birth_date: date
    sex: str
    ethnicity: str
    postcode: str
    registered_practice_ods: str | None
    lsoa: str | None
    imd_quintile: int | None
    date_of_death: date | None
    access_basis: str


@router.get("/{person_id}", response=PersonOut, summary="One person, if you may see them")
def get_person(request, person_id: int):
    membership = request.auth
    try:
        person, basis = access.get_person_for(membership, person_id)
    except PermissionDenied as exc:
        # The same answer whether or not the person exists: no probing for ids.
        raise HttpError(403, "No legitimate relationship with this person") from exc
    actions.record_person_view(
        by=request.user, membership=membership, person=person, basis=basis, page="api"
    )
    return PersonOut(
        id=person.pk,
        nhs_number=person.nhs_number,
        given_name=person.given_name,
        family_name=person.family_name,
        birth_date=person.birth_date,
        sex=person.sex,
        ethnicity=person.ethnicity,
        postcode=person.postcode,
        registered_practice_ods=(
            person.registered_practice.ods_code if person.registered_practice else None
        ),
        lsoa=person.lsoa.code if person.lsoa else None,
        imd_quintile=person.imd_quintile,
        date_of_death=person.date_of_death,
        access_basis=basis,
    )
