from django.urls import path

from . import views

app_name = "identity"

urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("review/<int:item_id>/", views.pair, name="pair"),
    path("review/<int:item_id>/decide", views.decide, name="decide"),
    path("merges/", views.merges, name="merges"),
    path("merges/new", views.merge_new, name="merge-new"),
    path("merges/<int:merge_id>/unmerge", views.unmerge, name="unmerge"),
]
