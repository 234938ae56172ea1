"""Every answer under /fhir is FHIR: an address no resource has, an interaction it does
not offer (history, DELETE, PATCH...) and a format it cannot give (XML) are answered with
an OperationOutcome, not an HTML page."""

import json

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json"
JSON_TYPES = ("application/fhir+json", "application/json", "application/*", "*/*", "json")


def outcome(status: int, code: str, message: str) -> HttpResponse:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }
    return HttpResponse(json.dumps(body), status=status, content_type=FHIR_JSON)


def _wants_only_other_formats(request) -> bool:
    """The client asks for a format other than JSON (``_format=xml``, ``Accept:
    application/fhir+xml``) and would not take JSON."""
    asked = request.GET.get("_format")
    if asked is not None:
        return not any(t in asked.lower() for t in ("json",))
    accept = request.headers.get("Accept", "").lower()
    return bool(accept) and not any(t in accept for t in JSON_TYPES) and "text/html" not in accept


class FhirOutcomeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/fhir/"):
            return self.get_response(request)
        if _wants_only_other_formats(request):
            return outcome(
                406, "not-supported", "This server speaks FHIR JSON only (application/fhir+json)"
            )
        response = self.get_response(request)
        html = response.get("Content-Type", "").startswith(("text/html", "text/plain"))
        if response.status_code == 404 and html:
            kind = request.path.removeprefix("/fhir/").split("/")[0]
            return outcome(
                404,
                "not-supported",
                f"No {kind or 'resource'} interaction at {request.path} (history and other "
                "interactions not in the CapabilityStatement are not supported)",
            )
        if response.status_code == 405 and html:
            answer = outcome(
                405,
                "not-supported",
                f"{request.method} is not supported on {request.path}"
                + (f" (allowed: {response['Allow']})" if response.has_header("Allow") else ""),
            )
            if response.has_header("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return response
