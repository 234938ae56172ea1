from django.urls import path

from . import views

app_name = "population"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("aggregates.csv", views.aggregates_csv, name="aggregates-csv"),
]
