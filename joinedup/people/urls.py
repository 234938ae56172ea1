from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("<int:person_id>/", views.summary, name="summary"),
    path("<int:person_id>/break-glass", views.break_glass, name="break-glass"),
    path("<int:person_id>/audit", views.audit, name="audit"),
]
