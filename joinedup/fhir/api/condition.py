"""Condition: a person's long-term conditions, from their current population profile."""

from joinedup.people import access

from .. import resources as R
from ._common import FhirError, _id, _person, _shown, api
from .search import Search


def _conditions(person, basis: str, membership) -> list[dict]:
    from joinedup.population.config import load_config
    from joinedup.population.queries import condition_evidence, current_profile

    profile = current_profile(person)
    if profile is None:
        return []
    show = access.sees_sensitive(membership, person, basis)
    by_key = {c.key: c for c in load_config().conditions}
    keys = [
        key
        for key in profile.condition_keys
        if key in by_key and (show or not by_key[key].sensitive)
    ]
    evidence = condition_evidence(person, keys, profile.run.as_of)
    return [R.condition(person, key, by_key[key].label, evidence.get(key)) for key in keys]


@api.get("/Condition/{condition_id}", summary="Read a long-term Condition", response=dict)
def read_condition(request, condition_id: str):
    person_id, _, _key = condition_id.partition("-")
    person, basis = _person(request, _id(person_id, "Condition"))
    found = [c for c in _conditions(person, basis, request.auth) if c["id"] == condition_id]
    if not found:
        raise FhirError(404, "not-found", f"Condition/{condition_id} is not known to you")
    return _shown(request, found[0])


@api.get("/Condition", summary="Search a person's long-term Conditions", response=dict)
def search_condition(request, patient: str | None = None, subject: str | None = None):
    search = Search(request, "patient", "subject")
    person_id = search.person(patient or subject, "Condition")
    if person_id is None:
        return _shown(request, search.listed([]))
    person, basis = _person(request, person_id)
    return _shown(request, search.listed(_conditions(person, basis, request.auth)))
