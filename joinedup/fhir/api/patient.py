"""Patient: read and search of the people the caller may see."""

from datetime import date

from ninja import Query

from joinedup.people import access

from .. import resources as R
from ._common import FhirError, _count, _id, _membership, _person, _searchset, _shown, api


@api.get("/Patient/{patient_id}", summary="Read a Patient", response=dict)
def read_patient(request, patient_id: str):
    person, _ = _person(request, _id(patient_id, "Patient"))
    return _shown(request, R.patient(person))


@api.get("/Patient", summary="Search Patients you may see", response=dict)
def search_patient(
    request,
    identifier: str | None = None,
    family: str | None = None,
    birthdate: str | None = None,
    id_: str | None = Query(None, alias="_id"),
    count: int | None = Query(None, alias="_count"),
):
    people = access.accessible_people(_membership(request)).select_related("registered_practice")
    if identifier:
        system, _, value = identifier.rpartition("|")
        if system and system != R.NHS_NUMBER:
            raise FhirError(400, "not-supported", "Only NHS numbers are identifiers here")
        people = people.filter(nhs_number=value.replace(" ", ""))
    if family:
        people = people.filter(family_name__iexact=family)
    if birthdate:
        try:
            people = people.filter(birth_date=date.fromisoformat(birthdate))
        except ValueError as exc:
            raise FhirError(400, "invalid", "birthdate must be YYYY-MM-DD", "birthdate") from exc
    if id_:
        people = people.filter(pk=_id(id_, "Patient"))
    total = people.count()
    found = list(people.order_by("pk")[: _count(count)])
    for person in found:
        _person(request, person.pk)
    return _shown(request, _searchset(request, [R.patient(p) for p in found], total=total))
