"""The personalised care and support plan as a document: plain English, for the person
and anyone they choose to give it to, printed or as a PDF (WeasyPrint)."""

from django.template.loader import render_to_string
from django.utils import timezone

from joinedup.core.documents import pdf

from . import plans, queries
from .actions import current_content


def plan_document_context(plan, person) -> dict:
    content = current_content(plan)
    version = plan.versions.select_related("author", "organisation").first()
    return {
        "person": person,
        "plan": plan,
        "version": version,
        "content": content,
        "shown_sections": plans.shown_sections(content),
        "team": list(queries.care_team(person)),
        "goal_progress": dict(plans.GOAL_PROGRESS),
        "action_status": dict(plans.ACTION_STATUS),
        "who_types": dict(plans.WHO_TYPES),
        "printed_at": timezone.now(),
    }


def plan_html(plan, person) -> str:
    return render_to_string("care/plan_document.jinja", plan_document_context(plan, person))


def plan_pdf(plan, person) -> bytes:
    """The plan as a PDF (A4, tagged so screen readers can follow it)."""
    return pdf(plan_html(plan, person))
