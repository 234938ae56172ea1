from django.urls import path

from . import conversation_views, views

app_name = "care"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("inbox/", views.inbox, name="inbox"),
    path("reviews/", views.reviews, name="reviews"),
    path("mdt/", views.meetings, name="meetings"),
    path("mdt/<int:meeting_id>/", views.meeting, name="meeting"),
    path("mdt/<int:meeting_id>/items/<int:item_id>", views.agenda_item, name="agenda-item"),
    path("tasks/<int:task_id>/", views.task, name="task"),
    path("people/<int:person_id>/", views.person_care, name="person"),
    path("people/<int:person_id>/messages", conversation_views.thread, name="messages"),
    path("people/<int:person_id>/update", views.person_care_update, name="person-update"),
    path(
        "people/<int:person_id>/team/add",
        views.person_form,
        {"form": "team-add"},
        name="team-add",
    ),
    path("people/<int:person_id>/sharing", views.person_form, {"form": "sharing"}, name="sharing"),
    path("people/<int:person_id>/tasks/new", views.person_form, {"form": "task"}, name="task-new"),
    path("people/<int:person_id>/assessments/", views.assessments, name="assessments"),
    path(
        "people/<int:person_id>/assessments/<int:assessment_id>/",
        views.assessment_view,
        name="assessment",
    ),
    path(
        "people/<int:person_id>/assessments/<int:assessment_id>/<slug:domain>",
        views.assessment_domain,
        name="assessment-domain",
    ),
    path("people/<int:person_id>/plan/", views.plan, name="plan"),
    path("people/<int:person_id>/plan/start", views.plan_start, name="plan-start"),
    path("people/<int:person_id>/plan/review", views.plan_review, name="plan-review"),
    path("people/<int:person_id>/plan.pdf", views.plan_pdf, name="plan-pdf"),
    path("people/<int:person_id>/plan/versions", views.plan_versions, name="plan-versions"),
    path(
        "people/<int:person_id>/plan/section/<slug:section>",
        views.plan_section,
        name="plan-section",
    ),
    path("people/<int:person_id>/plan/<slug:kind>/new", views.plan_item, name="plan-item-new"),
    path(
        "people/<int:person_id>/plan/<slug:kind>/<slug:item_id>",
        views.plan_item,
        name="plan-item",
    ),
]
