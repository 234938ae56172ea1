"""Tokens — the API's bearer tokens and single-use links (panel leave links, invitations,
survey links, provider checks, portal invitations): only a SHA-256 of each token is
stored, so a copy of the database opens nothing. Staff set-password links are Django's
signed tokens, not stored at all."""

import hashlib

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode

from .models import User


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SetPasswordTokenGenerator(PasswordResetTokenGenerator):
    """Links for staff to set their password (a new account, or a new link from their
    admin): Django's password-reset tokens with a salt of their own. A link lasts
    ``PASSWORD_RESET_TIMEOUT`` seconds (three days unless set) and works once: the token
    is made from the password hash and last sign-in, which setting a password changes."""

    key_salt = "joinedup.core.tokens.SetPasswordTokenGenerator"


set_password_tokens = SetPasswordTokenGenerator()


def set_password_path(user) -> str:
    """The path of a new link for ``user`` to set their password. The token is in the query
    string, which the server's access log leaves out (``joinedup serve``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = set_password_tokens.make_token(user)
    return reverse("core:set-password") + "?" + urlencode({"user": uid, "token": token})


def user_for_set_password_link(uidb64: str, token: str):
    """The active member of staff a set-password link is for, if it still works (made for
    them, not used, not expired); None for anything else, without saying why."""
    try:
        pk = int(urlsafe_base64_decode(uidb64 or "").decode())
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not set_password_tokens.check_token(user, token):
        return None
    return user
