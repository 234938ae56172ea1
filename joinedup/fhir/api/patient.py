"""Patient: read and search of the people the caller may see."""

from django.db.models import Q

from joinedup.people import access
from joinedup.people.actions import record_person_views
from joinedup.people.validation import search_form

from .. import resources as R
from ._common import (
    FhirError,
    _date_filter,
    _id,
    _membership,
    _person,
    _search_ids,
    _shown,
    api,
)
from .search import Search

SEXES = {v: k for k, v in R.GENDER.items()}


@api.get("/Patient/{patient_id}", summary="Read a Patient", response=dict)
def read_patient(request, patient_id: str):
    person, _ = _person(request, _id(patient_id, "Patient"))
    return _shown(request, R.patient(person))


@api.get(
    "/Patient",
    summary="Search Patients you may see",
    description=(
        "identifier (NHS number, `system|value`), family and given and name (starts with, "
        "any case; `:exact` for the whole name, `:contains` anywhere in it), gender, "
        "birthdate (with prefixes eq ne lt gt le ge sa eb ap), address-postalcode (starts "
        "with), _id (a list), _count, "
        "_summary=count. Any other parameter is refused unless `Prefer: handling=lenient`."
    ),
    response=dict,
)
def search_patient(request):
    search = Search(
        request,
        "identifier", "family", "family:exact", "family:contains", "given", "given:exact",
        "given:contains", "name", "name:contains", "gender", "birthdate", "address-postalcode",
        "_id",
    )  # fmt: skip
    people = access.accessible_people(_membership(request)).select_related("registered_practice")
    query = Q()
    for name, value in search.applied:
        if name == "identifier":
            system, _, number = value.rpartition("|")
            if system and system != R.NHS_NUMBER:
                raise FhirError(400, "not-supported", "Only NHS numbers are identifiers here")
            query &= Q(nhs_number=number.replace(" ", ""))
        elif name in ("family", "given"):
            query &= Q(**{f"search_{name}_name__startswith": search_form(value)})
        elif name in ("family:exact", "given:exact"):
            query &= Q(**{f"{name.split(':')[0]}_name": value})
        elif name in ("family:contains", "given:contains"):
            query &= Q(**{f"search_{name.split(':')[0]}_name__contains": search_form(value)})
        elif name == "name:contains":
            text = search_form(value)
            query &= Q(search_family_name__contains=text) | Q(search_given_name__contains=text)
        elif name == "name":
            text = search_form(value)
            query &= Q(search_family_name__startswith=text) | Q(search_given_name__startswith=text)
        elif name == "gender":
            if value not in SEXES:
                raise FhirError(400, "invalid", f"gender: one of {', '.join(SEXES)}", "gender")
            query &= Q(sex=SEXES[value])
        elif name == "birthdate":
            query &= _date_filter("birth_date", [value], "birthdate", dates=True)
        elif name == "address-postalcode":
            query &= Q(postcode__istartswith=value.strip())
        elif name == "_id":
            query &= Q(pk__in=_search_ids(value))
    found, total = search.page(people.filter(query))
    # Every one returned is audited (one event each), with the relationship that opens
    # them, decided for the whole page at once.
    membership = _membership(request)
    bases = access.bases_among(membership, [p.pk for p in found])
    found = [p for p in found if p.pk in bases]
    record_person_views(by=request.user, membership=membership, bases=bases, page="fhir")
    return _shown(request, search.bundle([R.patient(p) for p in found], total=total))
