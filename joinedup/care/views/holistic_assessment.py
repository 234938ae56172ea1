"""The holistic assessment: a person's assessments, one assessment and going through a domain."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from joinedup.core.forms import error_messages
from joinedup.people import access

from .. import actions, assessment
from ..models import Assessment, AssessmentStatus, CarePlan
from ._common import _int, _person


def _field_id(link_id: str) -> str:
    return link_id.replace(".", "-")


def _assessment_for(person, assessment_id: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related("questionnaire", "author", "organisation"),
        pk=assessment_id,
        person=person,
    )


@login_required
def assessments(request, person_id: int):
    """The person's assessments, newest first, and the way to start (or carry on) one."""
    membership, person, _ = _person(request, person_id, "assessments")
    if request.method == "POST":
        started = actions.start_assessment(by=request.user, membership=membership, person=person)
        return redirect("care:assessment", person_id=person.pk, assessment_id=started.pk)
    return render(
        request,
        "care/assessments.jinja",
        {
            "person": person,
            "assessments": Assessment.objects.filter(person=person).select_related(
                "author", "organisation", "questionnaire"
            ),
        },
    )


def _shown_domains(membership, person, basis: str, item: Assessment) -> list[dict]:
    """Each domain with its questions, answers and where each answer came from; a
    sensitive domain the viewer may not see is listed as withheld."""
    rows = []
    may_see = access.sees_sensitive(membership, person, basis)
    for d in assessment.domains_from_resource(item.questionnaire.resource):
        withheld = d.sensitive and not may_see
        rows.append(
            {
                "domain": d,
                "withheld": withheld,
                "checked": d.link_id in item.checked,
                "answers": []
                if withheld
                else [
                    {
                        "question": q,
                        "value": assessment.shown(q, item.answers.get(q.link_id, "")),
                        "source": item.sources.get(q.link_id),
                    }
                    for q in d.questions
                ],
            }
        )
    return rows


@login_required
def assessment_view(request, person_id: int, assessment_id: int):
    membership, person, basis = _person(request, person_id, "assessment")
    item = _assessment_for(person, assessment_id)
    errors, status = {}, 200
    if request.method == "POST" and item.status == AssessmentStatus.IN_PROGRESS:
        try:
            actions.complete_assessment(
                by=request.user,
                membership=membership,
                item=item,
                base_version=_int(request.POST.get("base_version")) or 0,
            )
            messages.success(
                request,
                f"Assessment complete. {person.given_name} is now assessed: "
                "agree what to do about the needs below in their plan.",
            )
            return redirect("care:assessment", person_id=person.pk, assessment_id=item.pk)
        except ValidationError as exc:
            errors, status = {"form": exc.messages[0]}, 409
            item = _assessment_for(person, assessment_id)
    domains = _shown_domains(membership, person, basis, item)
    return render(
        request,
        "care/assessment.jinja",
        {
            "person": person,
            "item": item,
            "domains": domains,
            "needs": assessment.needs_found(
                assessment.domains_from_resource(item.questionnaire.resource),
                item.answers,
                withheld={d["domain"].link_id for d in domains if d["withheld"]},
            ),
            "plan": CarePlan.objects.filter(person=person).first(),
            "unchecked": [d["domain"].title for d in domains if not d["checked"]],
            "errors": errors,
        },
        status=status,
    )


@login_required
def assessment_domain(request, person_id: int, assessment_id: int, domain: str):
    """Go through one domain with the person: pre-filled answers show where they came
    from, so only what has changed needs asking."""
    membership, person, basis = _person(request, person_id, "assessment")
    item = _assessment_for(person, assessment_id)
    spec = next(
        (
            d
            for d in assessment.domains_from_resource(item.questionnaire.resource)
            if d.link_id == domain
        ),
        None,
    )
    if spec is None or item.status != AssessmentStatus.IN_PROGRESS:
        raise Http404("No such part of an assessment in progress")
    if spec.sensitive and not access.sees_sensitive(membership, person, basis):
        raise PermissionDenied("This part is withheld without the person's consent")
    values = dict(item.answers)
    errors, status, base_version = {}, 200, item.version
    if request.method == "POST":
        base_version = _int(request.POST.get("base_version")) or 0
        posted = {q.link_id: request.POST.get(_field_id(q.link_id), "") for q in spec.questions}
        try:
            actions.save_assessment_domain(
                by=request.user,
                membership=membership,
                item=item,
                base_version=base_version,
                domain=domain,
                data=posted,
            )
            return redirect("care:assessment", person_id=person.pk, assessment_id=item.pk)
        except actions.StaleEdit as exc:
            errors, status = {"form": exc.messages[0]}, 409
            item = _assessment_for(person, assessment_id)
            values, base_version = dict(item.answers), item.version
        except ValidationError as exc:
            errors, status = error_messages(exc), 400
            values = {**values, **posted}
    return render(
        request,
        "care/assessment_domain.jinja",
        {
            "person": person,
            "item": item,
            "domain": spec,
            "values": values,
            "sources": item.sources,
            "errors": {_field_id(k): v for k, v in errors.items()},
            "base_version": base_version,
        },
        status=status,
    )
