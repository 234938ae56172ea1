from django.contrib import admin
from django.urls import include, path

from joinedup.core.api import api
from joinedup.directory.api import api as oruk_api
from joinedup.fhir.api import api as fhir_api
from joinedup.operations.health import health
from joinedup.operations.metrics import metrics

urlpatterns = [
    path("", include("joinedup.core.urls")),
    path("people/", include("joinedup.people.urls")),
    path("population/", include("joinedup.population.urls")),
    path("outcomes/", include("joinedup.outcomes.urls")),
    path("identity/", include("joinedup.identity.urls")),
    path("care/", include("joinedup.care.urls")),
    path("portal/", include("joinedup.portal.urls")),
    path("directory/", include("joinedup.directory.urls")),
    path("engage/", include("joinedup.engagement.urls")),
    path("jobs/", include("joinedup.jobs.urls")),
    path("ingest/", include("joinedup.ingest.urls")),
    path("health", health, name="health"),
    path("metrics", metrics, name="metrics"),
    path("api/", api.urls),
    path("fhir/", fhir_api.urls),
    path("oruk/", oruk_api.urls),
    path("admin/", admin.site.urls),
]

# The site's own error pages (NHS.UK style, plain English, what to do next).
handler403 = "joinedup.core.views.errors.forbidden"
handler404 = "joinedup.core.views.errors.not_found"
handler500 = "joinedup.core.views.errors.server_error"
