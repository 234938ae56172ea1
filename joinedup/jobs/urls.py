from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("start", views.start, name="start"),
    path("<int:job_id>/rerun", views.rerun, name="rerun"),
]
