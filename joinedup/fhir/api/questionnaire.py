"""Questionnaire and QuestionnaireResponse: the holistic assessment and its answers."""

from ninja import Query

from joinedup.care import actions as care_actions
from joinedup.care import assessment as care_assessment
from joinedup.care.models import Assessment, Questionnaire
from joinedup.people import access

from .. import resources as R
from ._common import (
    FhirError,
    _by_id,
    _date_filter,
    _id,
    _membership,
    _person,
    _shown,
    api,
)
from .search import Search


@api.get("/Questionnaire/{questionnaire_id}", summary="Read a Questionnaire", response=dict)
def read_questionnaire(request, questionnaire_id: str):
    _membership(request)
    found = _by_id(Questionnaire.objects.all(), questionnaire_id, "Questionnaire")
    return _shown(request, R.questionnaire(found))


@api.get("/Questionnaire", summary="Search Questionnaires", response=dict)
def search_questionnaire(request, url: str | None = None, version: str | None = None):
    search = Search(request, "url", "version")
    _membership(request)
    care_actions.current_questionnaire()
    found = Questionnaire.objects.all()
    if url:
        found = found.filter(url=url)
    if version:
        found = found.filter(version=version)
    found, total = search.page(found)
    return _shown(request, search.bundle([R.questionnaire(q) for q in found], total=total))


def _response(request, item: Assessment, basis: str) -> dict:
    domains = care_assessment.domains_from_resource(item.questionnaire.resource)
    if not access.sees_sensitive(request.auth, item.person, basis):
        domains = tuple(d for d in domains if not d.sensitive)
    roles = R.role_ids([(item.author_id, item.organisation_id)])
    return R.questionnaire_response(item, domains, roles)


@api.get("/QuestionnaireResponse/{response_id}", summary="Read an assessment", response=dict)
def read_questionnaire_response(request, response_id: str):
    membership = _membership(request)
    item = (
        Assessment.objects.filter(pk=_id(response_id, "QuestionnaireResponse"))
        .select_related("questionnaire", "person", "author", "organisation")
        .first()
    )
    if item is None or access.access_basis(membership, item.person_id) is None:
        raise FhirError(
            404, "not-found", f"QuestionnaireResponse/{response_id} is not known to you"
        )
    _, basis = _person(request, item.person_id)
    return _shown(request, _response(request, item, basis), version=item.version)


@api.get("/QuestionnaireResponse", summary="Search a person's assessments", response=dict)
def search_questionnaire_response(
    request,
    patient: str | None = None,
    subject: str | None = None,
    status: str | None = None,
    authored: list[str] | None = Query(None, alias="authored"),
):
    search = Search(request, "patient", "subject", "status", "authored")
    person_id = search.person(patient or subject, "QuestionnaireResponse")
    if person_id is None:
        return _shown(request, search.listed([]))
    _, basis = _person(request, person_id)
    found = Assessment.objects.filter(person_id=person_id).select_related(
        "questionnaire", "person", "author", "organisation"
    )
    if status:
        found = found.filter(status=status)
    found = found.filter(_date_filter("started_at", authored, "authored"))
    found, total = search.page(found)
    return _shown(
        request, search.bundle([_response(request, a, basis) for a in found], total=total)
    )
