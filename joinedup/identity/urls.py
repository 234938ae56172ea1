from django.urls import path

from . import views

app_name = "identity"

urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("review/<int:item_id>/", views.pair, name="pair"),
    path("review/<int:item_id>/decide", views.decide, name="decide"),
]
