"""Staff sign-in (password, then a TOTP code where required), sign-out, 2FA set-up."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from joinedup.core.actions import confirm_two_factor, record_audit, start_two_factor_setup
from joinedup.core.forms import SignInForm, TokenForm
from joinedup.core.models import User

PENDING_KEY = "joinedup_pending_user"
NEXT_KEY = "joinedup_next"


def requires_two_factor(user: User) -> bool:
    return (
        TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
        or user.memberships.filter(
            role__in=settings.JOINEDUP_REQUIRE_2FA_ROLES, active=True
        ).exists()
    )


def locked_out(request, credentials, *args, **kwargs):
    return render(
        request,
        "core/locked_out.jinja",
        {"minutes": int(settings.AXES_COOLOFF_TIME * 60)},
        status=429,
    )


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}):
        return value
    return reverse("core:home")


def _deactivated(username: str, password: str) -> bool:
    """Whether these are the right details of an account its admins switched off (said
    only to someone who knows the password)."""
    user = User.objects.filter(username=username, is_active=False).first()
    return bool(user and user.check_password(password))


def sign_in(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignInForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is None:
            error = (
                "Your account has been deactivated. Ask your organisation admin if you "
                "still need it"
                if _deactivated(form.cleaned_data["username"], form.cleaned_data["password"])
                else "The username or password is not right"
            )
        else:
            request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next"))
            if requires_two_factor(user):
                request.session[PENDING_KEY] = user.pk
                return redirect("core:sign-in-code")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            record_audit(by=user, action="user.sign_in")
            return redirect(request.session.pop(NEXT_KEY, reverse("core:home")))
    return render(request, "core/sign_in.jinja", {"form": form, "error": error})


def sign_in_code(request):
    """Second step: a TOTP code, or setting up an authenticator for the first time."""
    user = User.objects.filter(pk=request.session.get(PENDING_KEY)).first()
    if user is None:
        return redirect("core:sign-in")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    setup = None
    if device is None:
        device = start_two_factor_setup(by=user, user=user)
        setup = {
            "secret": b32encode(device.bin_key).decode(),
            "qr_svg": segno.make(device.config_url).svg_inline(scale=4),
        }
    form = TokenForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        if device.verify_token(token) or (setup is None and match_token(user, token)):
            if not device.confirmed:
                confirm_two_factor(by=user, device=device)
            del request.session[PENDING_KEY]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            record_audit(by=user, action="user.sign_in", detail={"2fa": True})
            return redirect(request.session.pop(NEXT_KEY, reverse("core:home")))
        error = "That code is not right. Codes change every 30 seconds: try the newest one"
    return render(
        request, "core/sign_in_code.jinja", {"form": form, "error": error, "setup": setup}
    )


@require_POST
def sign_out(request) -> HttpResponse:
    if request.user.is_authenticated:
        record_audit(by=request.user, action="user.sign_out")
    logout(request)
    return redirect("core:sign-in")


@login_required
def two_factor(request):
    """Any member of staff can turn on two-factor sign-in for their own account."""
    user = request.user
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        return render(request, "core/two_factor.jinja", {"enabled": True})
    device = start_two_factor_setup(by=user, user=user)
    form = TokenForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            confirm_two_factor(by=user, device=device)
            otp_login(request, device)
            return render(request, "core/two_factor.jinja", {"enabled": True, "just_now": True})
        error = "That code is not right. Codes change every 30 seconds: try the newest one"
    elif request.method == "POST":
        error = form.errors["token"][0]
    setup = {
        "secret": b32encode(device.bin_key).decode(),
        "qr_svg": segno.make(device.config_url).svg_inline(scale=4),
    }
    return render(
        request, "core/sign_in_code.jinja", {"form": form, "error": error, "setup": setup}
    )
