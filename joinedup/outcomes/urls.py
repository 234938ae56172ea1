from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("", views.index, name="index"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("packs/make", views.make_pack, name="make-pack"),
    path("packs/<int:pk>/", views.pack, name="pack"),
    path("packs/<int:pk>/pdf", views.pack_pdf, name="pack-pdf"),
    path("public/<str:token>/", views.public_pack, name="public-pack"),
    path("public/<str:token>/pdf", views.public_pack_pdf, name="public-pack-pdf"),
    path("<slug:key>/", views.indicator, name="indicator"),
]
