"""Response headers: CSP, private caching of confidential answers, HTTPS settings, API docs."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

import bioproof

pytestmark = pytest.mark.django_db
PACKAGE = Path(bioproof.__file__).resolve().parent


def test_csp_allows_scripts_and_styles_from_this_site_only(client: Client) -> None:
    r = client.get("/")
    policy = r["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in policy


def test_templates_hold_no_inline_script_or_style() -> None:
    """CSP without 'unsafe-inline' blocks them; move them to static files."""
    offenders = []
    for path in PACKAGE.rglob("templates/**/*.html"):
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"javascript:",
        ):
            if re.search(pattern, text, flags=re.IGNORECASE):
                offenders.append(f"{path.relative_to(PACKAGE)}: {pattern}")
    assert offenders == []


def test_autosubmit_script_is_served(client: Client) -> None:
    assert finders.find("core/bioproof.js")
    page = client.get("/products/").content.decode()
    assert "core/bioproof.js" in client.get("/").content.decode()
    assert "data-autosubmit" in page


def test_signed_in_answers_are_private_and_not_stored(client: Client, people) -> None:
    assert "no-store" not in client.get("/track-records/").get("Cache-Control", "")
    client.force_login(people["a_staff"])
    for url in ("/", "/products/", "/evaluations/", "/api/products"):
        cache = client.get(url)["Cache-Control"]
        assert "private" in cache and "no-store" in cache, url


def test_token_answers_and_downloads_are_not_stored(people, product_a) -> None:
    from bioproof.consortium.actions import issue_api_token

    _, raw = issue_api_token(by=people["a_staff"], name="t")
    r = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"/api/products/{product_a.code}")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


def test_public_report_download_is_not_stored(client: Client, published) -> None:
    r = client.get(f"/track-records/{published.code}/report.pdf")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]


def test_api_docs_use_the_apps_own_swagger_assets(client: Client) -> None:
    page = client.get("/api/docs").content.decode()
    assert "cdn" not in page.lower() and "https://" not in page
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui.css")
    assert client.get("/static/ninja/swagger-ui-init.js").status_code == 200


PRODUCTION_ENV = {
    "BIOPROOF_DEBUG": "0",
    "BIOPROOF_SECURE_COOKIES": "1",
    "BIOPROOF_HSTS_SECONDS": "31536000",
    "BIOPROOF_SSL_REDIRECT": "1",
    "BIOPROOF_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
    "BIOPROOF_ALLOWED_HOSTS": "bioproof.example.org",
}


def _django(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    full = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BIOPROOF_")},
        "BIOPROOF_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "bioproof.settings",
        **env,
    }
    if "BIOPROOF_DATABASE_URL" in os.environ:
        full["BIOPROOF_DATABASE_URL"] = os.environ["BIOPROOF_DATABASE_URL"]
    return subprocess.run(
        [sys.executable, "-m", "django", *args], env=full, capture_output=True, text=True
    )


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, "BIOPROOF_SECRET_KEY": secrets.token_urlsafe(50)}
    run = _django(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout
    # and the default (development) settings are what check --deploy warns about
    dev = _django(["check", "--deploy", "--fail-level", "WARNING"], {}, tmp_path)
    assert dev.returncode != 0 and "security.W004" in dev.stdout + dev.stderr


@pytest.mark.slow
def test_https_settings_come_from_the_environment(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER,"
        " s.SESSION_COOKIE_SECURE)"
    )
    run = _django(
        ["shell", "-c", code], {**PRODUCTION_ENV, "BIOPROOF_SECRET_KEY": "x" * 60}, tmp_path
    )
    assert run.stdout.strip().splitlines()[-1] == (
        "31536000 True ('HTTP_X_FORWARDED_PROTO', 'https') True"
    ), run.stderr
    run = _django(["shell", "-c", code], {"BIOPROOF_SECRET_KEY": "x" * 60}, tmp_path)
    assert run.stdout.strip().splitlines()[-1] == "0 False None False", run.stderr


def test_proxy_header_is_honoured(client: Client, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/track-records/").status_code == 301
    r = client.get("/track-records/", HTTP_X_FORWARDED_PROTO="https")
    assert r.status_code == 200
