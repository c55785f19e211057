"""Production settings and the headers they produce. Settings are read once at start-up, so
the production checks run in a fresh interpreter with the production environment
(KIEMDIEM_PRODUCTION=1, a real SECRET_KEY, a host name): DEBUG off, secure cookies, HSTS,
the proxy's https header trusted, and `manage.py check --deploy` clean at WARNING level apart
from the silences settings.py justifies."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

ROOT = Path(__file__).resolve().parents[2]
HOST = "kiemdiem.example.vn"


def _production_env(tmp_path) -> dict:
    # (the browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in this process:
    # a production process never has it)
    dropped = ("DEBUG", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        KIEMDIEM_PRODUCTION="1",
        SECRET_KEY="x7Qp!" * 12,  # 60 characters, many distinct: passes check --deploy's strength test
        ALLOWED_HOSTS=HOST,
        KIEMDIEM_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="kiemdiem.settings",
    )
    return env


def _run(code: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=_production_env(tmp_path),
                          capture_output=True, text=True, timeout=120)


def test_production_settings(tmp_path):
    proc = _run("""
        import json, django
        django.setup()
        from django.conf import settings as s
        print(json.dumps({
            "DEBUG": s.DEBUG, "HSTS": s.SECURE_HSTS_SECONDS, "SUB": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
            "SESSION_SECURE": s.SESSION_COOKIE_SECURE, "CSRF_SECURE": s.CSRF_COOKIE_SECURE,
            "SESSION_HTTPONLY": s.SESSION_COOKIE_HTTPONLY, "PROXY": s.SECURE_PROXY_SSL_HEADER,
            "REDIRECT": s.SECURE_SSL_REDIRECT, "SILENCED": s.SILENCED_SYSTEM_CHECKS,
            "HASHER": s.PASSWORD_HASHERS[0], "XFO": s.X_FRAME_OPTIONS, "NOSNIFF": s.SECURE_CONTENT_TYPE_NOSNIFF,
        }))
    """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    conf = json.loads(proc.stdout.strip().splitlines()[-1])
    assert conf["DEBUG"] is False
    assert conf["HSTS"] >= 31_536_000 and conf["SUB"] is True
    assert conf["SESSION_SECURE"] is True and conf["CSRF_SECURE"] is True and conf["SESSION_HTTPONLY"] is True
    assert conf["PROXY"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert conf["REDIRECT"] is True
    assert conf["SILENCED"] == ["security.W021"]  # HSTS preload: the operator's opt-in (settings.py)
    assert conf["HASHER"] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert conf["XFO"] == "DENY" and conf["NOSNIFF"] is True


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = _production_env(tmp_path)
    env.pop("SECRET_KEY")
    proc = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "SECRET_KEY must be set" in proc.stderr


def test_check_deploy_is_clean(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kiemdiem.manage", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=_production_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout and "1 silenced" in proc.stdout


def test_production_responses_carry_the_security_headers(tmp_path):
    """Through the whole middleware stack with production settings: plain http is redirected
    to https; over https (as the proxy reports it) HSTS, CSP and secure cookies are sent."""
    proc = _run(f"""
        import json, django
        django.setup()
        from django.test import Client
        from django.test.utils import override_settings
        # the manifest storage would need collectstatic first (slow): plain storage for this check
        override_settings(STORAGES={{
            "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
            "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
        }}).enable()
        plain = Client(HTTP_HOST="{HOST}").get("/accounts/login/")
        secure = Client(HTTP_HOST="{HOST}", HTTP_X_FORWARDED_PROTO="https").get("/accounts/login/")
        probe = Client(HTTP_HOST="{HOST}").get("/healthz")  # exempt from the redirect (no database here)
        print(json.dumps({{
            "plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
            "probe_status": probe.status_code,
            "status": secure.status_code, "hsts": secure.get("Strict-Transport-Security", ""),
            "csp": secure.get("Content-Security-Policy", ""), "coop": secure.get("Cross-Origin-Opener-Policy", ""),
            "csrf_secure": bool(secure.cookies["csrftoken"]["secure"]),
            "nosniff": secure.get("X-Content-Type-Options", ""), "xfo": secure.get("X-Frame-Options", ""),
        }}))
    """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["plain_status"] == 301 and got["plain_location"].startswith(f"https://{HOST}/")
    assert got["status"] == 200
    assert got["probe_status"] == 200
    assert got["hsts"] == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in got["csp"] and "'unsafe-inline'" not in got["csp"]
    assert got["coop"] == "same-origin"
    assert got["csrf_secure"] is True
    assert got["nosniff"] == "nosniff" and got["xfo"] == "DENY"


@pytest.mark.django_db
def test_every_page_response_has_a_strict_csp(client, cast, client_for):
    for resp in (client.get("/accounts/login/"), client_for(cast.alice).get("/", follow=True)):
        csp = resp["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in csp
        assert "<script>" not in resp.content.decode()  # no inline script the CSP would have to allow


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2():
    """The project's hasher list (conftest swaps in MD5 for speed; this checks the real one)."""
    from django.test.utils import override_settings

    from kiemdiem import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        encoded = make_password("mật khẩu thử nghiệm")
        assert encoded.startswith("argon2$argon2id$")
        assert identify_hasher(encoded).algorithm == "argon2"
        assert check_password("mật khẩu thử nghiệm", encoded)
        # an old PBKDF2 hash still verifies (and is upgraded to argon2 on the next login)
        old = make_password("cũ", hasher="pbkdf2_sha256")
        assert check_password("cũ", old)
    assert settings.SESSION_COOKIE_HTTPONLY
