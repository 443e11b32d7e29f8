"""Production settings pass Django's deployment checklist, and refuse what is unsafe.

Each test starts a real process (``manage.py`` or gunicorn) with the environment of
.env.example and a fresh 50+ character secret key, exactly as a deployment would.
"""

from __future__ import annotations

import subprocess

from tests.topology.helpers import GUNICORN, ROOT, free_port, manage, production_env


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = manage(production_env(), "check", "--deploy", "--fail-level", "WARNING", timeout=60)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output.upper().replace("--FAIL-LEVEL WARNING", "")


def test_production_refuses_the_development_secret_key_and_the_outbox():
    env = production_env(
        DJANGO_SECRET_KEY="",
        VERZUIM_SMS_BACKEND="verzuim.messaging.backends.outbox.OutboxSmsBackend",
    )
    env.pop("DJANGO_SECRET_KEY")

    result = manage(env, "check", "--deploy", timeout=60)

    assert result.returncode != 0
    assert "verzuim.E001" in result.stderr and "verzuim.E003" in result.stderr


def test_gunicorn_refuses_to_start_with_insecure_production_settings():
    env = production_env(GUNICORN_BIND=f"127.0.0.1:{free_port()}", DJANGO_DEBUG="1")

    result = subprocess.run(  # noqa: S603
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "verzuim.wsgi"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )

    assert result.returncode != 0
    assert "Refusing to start" in result.stderr and "verzuim.E002" in result.stderr
    assert "Listening at" not in result.stderr


def test_local_only_mode_is_refused_for_a_public_host_name():
    env = production_env(VERZUIM_LOCAL_ONLY="1", DJANGO_ALLOWED_HOSTS="portal.example.nl")

    result = manage(env, "check", timeout=60)

    assert result.returncode != 0
    assert "VERZUIM_LOCAL_ONLY is for this machine only" in result.stderr


def test_local_only_mode_never_passes_the_deployment_checklist_silently():
    env = production_env(
        VERZUIM_LOCAL_ONLY="1", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,.localhost",
        DJANGO_SECURE_SSL_REDIRECT="0", VERZUIM_SMS_BACKEND="", VERZUIM_EMAIL_BACKEND="",
    )
    env.pop("VERZUIM_SMS_BACKEND")
    env.pop("VERZUIM_EMAIL_BACKEND")

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING", timeout=60)

    assert result.returncode != 0
    # Allowed (messages stay in the outbox), but announced, with plain HTTP flagged by Django.
    assert "verzuim.W001" in result.stderr
    assert "verzuim.E003" not in result.stderr and "verzuim.E004" not in result.stderr
    assert "security.W016" in result.stderr  # CSRF cookie not marked Secure
    assert "security.W004" in result.stderr  # no HSTS


def test_gunicorn_in_local_only_mode_refuses_to_listen_beyond_loopback():
    env = production_env(
        VERZUIM_LOCAL_ONLY="1", DJANGO_ALLOWED_HOSTS="localhost",
        GUNICORN_BIND=f"0.0.0.0:{free_port()}",
    )

    result = subprocess.run(  # noqa: S603
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "verzuim.wsgi"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )

    assert result.returncode != 0
    assert "refusing to listen on 0.0.0.0" in result.stderr
    assert "Listening at" not in result.stderr
