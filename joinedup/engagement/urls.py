from django.urls import path

from . import views

app_name = "engagement"
urlpatterns = [
    path("panel/join", views.join, name="join"),
    path("panel/joined", views.joined, name="joined"),
    path("panel/leave/<str:token>", views.leave, name="leave"),
    path("panel/", views.panel, name="panel"),
]
