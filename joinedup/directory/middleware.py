"""Every answer under /oruk is the Open Referral API's: any web page may read it, every
operation answers HEAD and OPTIONS as well as GET, and what the API does not have (an
address, a method) is a JSON error, not a web page.

django-cors-headers answers a browser's preflight (an OPTIONS with ``Origin`` and
``Access-Control-Request-Method``); an OPTIONS without them (a feed tester, curl) reached
django-ninja, which offers GET alone: a 405 web page with no CORS headers. Here an OPTIONS
is answered with what the address allows, a preflight says the API is read-only, and
every answer carries ``Access-Control-Allow-Origin: *`` whether or not the request said
where it came from. No credentials: the API reads no cookies and takes no token.

It comes before CorsMiddleware (MIDDLEWARE in settings), so that it sees preflights too.
"""

import json

from django.http import HttpResponse
from django.urls import Resolver404, resolve

PREFIX = "/oruk/"
ALLOWED = "GET, HEAD, OPTIONS"


def _error(status: int, detail: str) -> HttpResponse:
    """An error as django-ninja gives one (``{"detail": ...}``)."""
    return HttpResponse(
        json.dumps({"detail": detail}), status=status, content_type="application/json"
    )


def _is_preflight(request) -> bool:
    return request.method == "OPTIONS" and "access-control-request-method" in request.headers


class OpenReferralMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS" and not _is_preflight(request):
            response = self._options(request)
        elif request.method == "HEAD":
            response = self._head(request)
        else:
            response = self._json_errors(request, self.get_response(request))
        if _is_preflight(request):
            response["Access-Control-Allow-Methods"] = ALLOWED
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def _options(self, request) -> HttpResponse:
        try:
            resolve(request.path_info)
        except Resolver404:
            return _error(404, f"The Open Referral API has nothing at {request.path}")
        response = HttpResponse(status=204)
        response["Allow"] = ALLOWED
        return response

    def _head(self, request) -> HttpResponse:
        """The GET answer's status and headers (its length too), without the body."""
        request.method = "GET"
        try:
            response = self._json_errors(request, self.get_response(request))
        finally:
            request.method = "HEAD"
        if not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    def _json_errors(self, request, response) -> HttpResponse:
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            return _error(404, f"The Open Referral API has nothing at {request.path}")
        if response.status_code == 405:
            answer = _error(
                405, f"{request.method} is not offered: the Open Referral API is read-only"
            )
            answer["Allow"] = ALLOWED
            return answer
        return response
