"""Tokens — the API's bearer tokens and single-use links (panel leave links, invitations,
survey links, provider checks, portal invitations): only a SHA-256 of each token is
stored, so a copy of the database opens nothing."""

import hashlib


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
