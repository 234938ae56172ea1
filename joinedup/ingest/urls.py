from django.urls import path

from . import views

app_name = "ingest"

urlpatterns = [
    path("adt/", views.adt, name="adt"),
]
