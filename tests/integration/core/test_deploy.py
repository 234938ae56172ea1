"""Production settings: `check --deploy` is clean when served over HTTPS, and every page
carries the security headers (CSP with a per-response nonce, framing, referrer,
permissions)."""

import os
import re
import secrets
import subprocess
import sys

from django.urls import reverse


def test_check_deploy_is_clean_behind_https(tmp_path):
    env = {
        **os.environ,
        "JOINEDUP_HTTPS": "1",
        "JOINEDUP_SECRET_KEY": secrets.token_urlsafe(64),
        "JOINEDUP_DEBUG": "0",
        "JOINEDUP_ALLOWED_HOSTS": "care.example.nhs.uk",
        "JOINEDUP_DATA_DIR": str(tmp_path),
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # set by the tests
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "joinedup.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_pages_carry_the_security_headers(db, client):
    page = client.get(reverse("core:sign-in"))
    csp = page["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)[1]
    assert f'<script nonce="{nonce}">' in page.content.decode()  # the design system's one
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "style-src 'self';" in csp + ";" and "'unsafe-inline'" not in csp
    assert page["X-Frame-Options"] == "DENY"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in page["Permissions-Policy"]
    again = client.get(reverse("core:sign-in"))
    assert re.search(r"'nonce-([^']+)'", again["Content-Security-Policy"])[1] != nonce
    # The session and CSRF cookies cannot be read by scripts.
    assert page.cookies["csrftoken"]["httponly"] if "csrftoken" in page.cookies else True


def test_production_refuses_to_start_without_a_secret_from_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOINEDUP_", "DJANGO_"))}
    env.update({"JOINEDUP_HTTPS": "1", "JOINEDUP_DATA_DIR": str(tmp_path)})
    done = subprocess.run(
        [sys.executable, "-m", "joinedup.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "Set JOINEDUP_SECRET_KEY" in done.stderr
    assert not (tmp_path / "secret_key").exists()
