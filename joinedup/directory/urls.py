from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("services/<str:oruk_id>", views.service_page, name="service"),
    path("services/<str:oruk_id>/refer", views.refer_who, name="refer-who"),
    path("services/<str:oruk_id>/refer/<int:person_id>", views.refer, name="refer"),
    path("referrals/<int:referral_id>/outcome", views.outcome, name="outcome"),
    path("services/<str:oruk_id>/report", views.report, name="report"),
    path(
        "services/<str:oruk_id>/shortlist/<int:person_id>",
        views.shortlist_add,
        name="shortlist-add",
    ),
    path("shortlists/people/<int:person_id>", views.shortlist, name="shortlist"),
    path("shortlists/<int:shortlist_id>.pdf", views.shortlist_pdf, name="shortlist-pdf"),
    path("check/<str:token>", views.confirm, name="confirm"),
    path("queue/", views.queue, name="queue"),
    path("queue/reports/<int:report_id>", views.resolve, name="resolve"),
    path("queue/services/<str:oruk_id>/verify", views.verify, name="verify"),
]
