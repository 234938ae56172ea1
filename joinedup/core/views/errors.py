"""The site's error pages: 403 (refused, or a form without its security token), 404 and
500, as NHS.UK pages that say what to do next (``handler403/404/500`` in joinedup/urls.py,
``CSRF_FAILURE_VIEW`` in settings)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string


def _layout(request) -> str:
    """Portal addresses keep the portal's look (its header and sign-in); all else staff's."""
    return "portal/layout.jinja" if request.path.startswith("/portal/") else "core/layout.jinja"


def not_found(request, exception=None):
    # Http404's message comes from inside the code ("No Assembly matches..."): not shown.
    return render(request, "core/errors/404.jinja", {"layout": _layout(request)}, status=404)


def forbidden(request, exception=None):
    # PermissionDenied messages are written for the user ("Your role cannot break glass").
    reason = str(exception) if isinstance(exception, PermissionDenied) else ""
    return render(
        request,
        "core/errors/403.jinja",
        {"layout": _layout(request), "reason": reason.rstrip(".")},
        status=403,
    )


def csrf_failure(request, reason: str = ""):
    return render(request, "core/errors/csrf.jinja", {"layout": _layout(request)}, status=403)


def server_error(request):
    """Something broke: the page is made from the template alone (no database, no
    session, no signed-in user), since any of them may be what failed."""
    # Absent if the error came before the CSP middleware ran (and false until first used).
    nonce = getattr(request, "csp_nonce", None)
    return HttpResponseServerError(
        render_to_string("core/errors/500.jinja", {"nonce": "" if nonce is None else str(nonce)})
    )
