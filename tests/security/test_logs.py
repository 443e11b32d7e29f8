"""Logs an attacker cannot forge, and logs that hold no secrets.

Every log record is captured at DEBUG (the root logger and Django's own loggers, which
production keeps quieter) and formatted with the project's real formatter and filter from
``settings.LOGGING``; the gunicorn access log is formatted by deploy/gunicorn.conf.py's own
logger class from requests parsed by gunicorn's own HTTP parser.
"""

from __future__ import annotations

import csv
import datetime
import importlib.util
import io
import json
import logging
import re
import secrets
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.message import Request
from gunicorn.http.unreader import IterUnreader

from tests.accounts.activation.conftest import newest_link_path
from tests.accounts.recovery.conftest import newest_reset_path
from tests.conftest import last_sms_code
from tests.factories import PASSWORD
from tests.mfa.webauthn.conftest import ORIGIN, add_key
from tests.security.attack_support import (
    APP_STEP,
    BACKUP_STEP,
    FORGOT_LOGIN_NAME,
    FORGOT_PASSWORD,
    LOGIN,
    SMS_STEP,
    totp_window,
)
from verzuim.accounts import phone_recovery
from verzuim.accounts.actions import create_user
from verzuim.accounts.models import User
from verzuim.audit.models import AuditEvent, Event
from verzuim.core.models import ErrorReport
from verzuim.core.request import Origin
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage, OutgoingMessage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FORGED = "2026-01-01 INFO login ok user=admin"
# Ways to start a new line (or rewrite the current one) in a log file, a terminal or an editor.
PAYLOADS = {
    "crlf": f"alice\r\n{FORGED}",
    "lf": f"alice\n{FORGED}",
    "cr": f"alice\r{FORGED}",
    "line_separator": f"alice\u2028{FORGED}",
    "next_line": f"alice\x85{FORGED}",
    "ansi": f"alice\x1b[2K\x1b[1G{FORGED}",
}
BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029\x1b]")


# --- capturing what production would write --------------------------------------------------


@dataclass
class Logs:
    stream: io.StringIO
    records: list[logging.LogRecord] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.stream.getvalue()


class _Keep(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logs(caplog):
    """Every record at DEBUG, also formatted exactly as the production console handler does."""
    config = django_settings.LOGGING
    plain = config["formatters"]["plain"]
    stream = io.StringIO()
    production = logging.StreamHandler(stream)
    production.setFormatter(logging.Formatter(plain["format"], plain.get("datefmt")))
    for name in config["handlers"]["console"]["filters"]:
        production.addFilter(import_string(config["filters"][name]["()"])())
    captured = Logs(stream)
    keep = _Keep(captured.records)
    root = logging.getLogger()
    caplog.set_level(logging.DEBUG)
    for name in config["loggers"]:
        caplog.set_level(logging.DEBUG, logger=name)
    root.addHandler(production)
    root.addHandler(keep)
    yield captured
    root.removeHandler(production)
    root.removeHandler(keep)


def _gunicorn_config():
    spec = importlib.util.spec_from_file_location(
        "verzuim_gunicorn_conf", ROOT / "deploy/gunicorn.conf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GUNICORN = _gunicorn_config()


class _NoSocket:
    def sendall(self, data: bytes) -> None:
        pass


def access_log_line(target: bytes, method: bytes = b"GET") -> str:
    """The access-log line gunicorn with deploy/gunicorn.conf.py writes for a request to the
    raw request target ``target`` (path and query exactly as on the wire)."""
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", GUNICORN.access_log_format)
    raw = method + b" " + target + b" HTTP/1.1\r\nHost: testserver\r\nUser-Agent: test\r\n\r\n"
    request = Request(cfg, IterUnreader([raw]), ("203.0.113.5", 40000), 1)
    response, environ = wsgi.create(
        request, _NoSocket(), ("203.0.113.5", 40000), ("127.0.0.1", 8000), cfg
    )
    response.status, response.sent, response.headers = "200 OK", 1234, []
    logger = GUNICORN.logger_class(cfg)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.access_log.handlers = [handler]
    logger.access(response, request, environ, datetime.timedelta(microseconds=1500))
    return stream.getvalue()


def wire_target(path: str | bytes, query: str = "") -> bytes:
    """What a browser puts on the request line: the path's bytes (UTF-8 for text, or the
    raw bytes of a WSGI path) percent-encoded, and the query."""
    raw = path.encode("utf-8") if isinstance(path, str) else path
    target = urllib.parse.quote(raw, safe="/:@!$&'()*+,;=-._~")
    return (target + (f"?{query}" if query else "")).encode("ascii")


class RecordingClient(Client):
    """A test client that remembers every request line, for the access-log check."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.targets: list[tuple[bytes, bytes]] = []

    def request(self, **request):
        self.targets.append(
            (
                request["REQUEST_METHOD"].encode(),
                wire_target(
                    request["PATH_INFO"].encode("latin-1"), request.get("QUERY_STRING", "")
                ),
            )
        )
        return super().request(**request)


def assert_no_forged_line(text: str) -> None:
    """No line break or terminal control from the input survives, so no forged entry."""
    assert not BREAKS.search(text.rstrip("\n").replace("\n", "")), ascii(text[-600:])
    for line in text.splitlines():
        assert not line.lstrip().startswith(FORGED[:15]), ascii(line)


# --- log injection ------------------------------------------------------------------------------


def test_login_names_and_headers_cannot_forge_log_lines(client, tenant, hr_user, logs, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    for n, payload in enumerate(PAYLOADS.values()):
        address = f"198.51.100.{n + 1}"
        client.post(
            LOGIN,
            {"username": payload, "password": "Wrong-1"},
            REMOTE_ADDR=address,
            HTTP_USER_AGENT=payload,
            HTTP_X_FORWARDED_FOR=payload,
        )
        client.post(
            FORGOT_PASSWORD, {"username": payload}, REMOTE_ADDR=address, HTTP_USER_AGENT=payload
        )
        client.post(FORGOT_LOGIN_NAME, {"email": payload}, REMOTE_ADDR=address)
        client.get("/help/search/", {"q": payload}, HTTP_USER_AGENT=payload)
        client.get("/no-such-page/" + urllib.parse.quote(payload) + "/")
    deliver_due()
    assert logs.records  # the 404s were logged (with the path) ...
    assert any("alice" in r.getMessage() for r in logs.records)
    for record in logs.records:
        assert not BREAKS.search(record.getMessage()), ascii(record.getMessage())
    assert_no_forged_line(logs.text)  # ... on one line each, in the production format
    assert "\\r\\n2026-01-01 INFO login ok" in logs.text  # escaped, still readable


def test_the_audit_log_keeps_odd_login_names_verbatim_and_exports_one_row_each(
    client, tenant, support_user, logs
):
    for n, payload in enumerate(PAYLOADS.values()):
        client.post(
            LOGIN,
            {"username": payload, "password": "Wrong-1"},
            REMOTE_ADDR=f"198.51.100.{n + 1}",
            HTTP_USER_AGENT=payload,
        )
    failed = AuditEvent.objects.filter(event=Event.LOGIN_PASSWORD_FAILED).order_by("id")
    assert [e.login_name for e in failed] == list(PAYLOADS.values())  # evidence unaltered
    assert [e.user_agent for e in failed] == list(PAYLOADS.values())
    support = Client()
    support.post(LOGIN, {"username": support_user.username, "password": PASSWORD})
    support.post(SMS_STEP, {"code": last_sms_code(support_user.phone)})
    export = support.get("/support/audit/export/", {"event": Event.LOGIN_PASSWORD_FAILED})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert len(rows) == 1 + len(PAYLOADS)  # the header, then one record per attempt
    assert sorted(row[5] for row in rows[1:]) == sorted(PAYLOADS.values())
    assert_no_forged_line(logs.text)


def test_the_support_form_cannot_forge_log_lines(client, hr_user, logged_in_client, logs):
    logged_in_client(hr_user)
    for payload in PAYLOADS.values():
        response = client.post(
            "/help/contact/",
            {"subject": payload, "message": payload, "page": "/" + payload},
            HTTP_USER_AGENT=payload,
        )
        assert response.status_code in (200, 302)
    deliver_due()
    assert_no_forged_line(logs.text)
    for record in logs.records:
        assert not BREAKS.search(record.getMessage())


def test_a_forged_security_key_answer_cannot_forge_log_lines(
    client, hr_user, login_password_step, logs
):
    """The key library names the client's origin in its error; the log line escapes it."""
    key, _ = add_key(hr_user)
    hr_user.preferred_method = "webauthn"
    hr_user.save()
    login_password_step(hr_user)
    for payload in PAYLOADS.values():
        options = client.post(
            "/accounts/verify/key/options/",
            data=json.dumps({"purpose": "login"}),
            content_type="application/json",
        ).json()
        answer = key.sign(options, ORIGIN + payload)
        client.post(
            "/accounts/verify/key/verify/",
            content_type="application/json",
            data=json.dumps({"purpose": "login", "credential": answer}),
        )
    refused = [r for r in logs.records if "assertion refused" in r.getMessage()]
    assert len(refused) == len(PAYLOADS)
    for record in refused:
        assert not BREAKS.search(record.getMessage()), ascii(record.getMessage())
    assert_no_forged_line(logs.text)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=list(PAYLOADS))
def test_the_access_log_writes_one_line_per_request_whatever_the_path(payload):
    line = access_log_line(wire_target("/accounts/login/" + payload + "/", "q=x"))
    assert line.endswith("\n") and line.count("\n") == 1
    assert_no_forged_line(line)
    assert "login ok user=admin" in line  # still there, escaped, for the investigator


# --- no secrets in logs ---------------------------------------------------------------------------


class Secrets:
    """Everything that must never reach a log, an audit row, an error report or the outbox
    (apart from the one message body meant to carry it)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.deliverable: set[str] = set()  # may appear in the body of its own message

    def add(self, label: str, value: str, *, deliverable: bool = False) -> None:
        assert value, label
        self.values[label] = value
        if deliverable:
            self.deliverable.add(label)

    def found_in(self, text: str, labels=None) -> list[str]:
        found = []
        for label, value in self.values.items():
            if labels is not None and label not in labels:
                continue
            pattern = rf"(?<!\d){re.escape(value)}(?!\d)" if value.isdigit() else re.escape(value)
            if re.search(pattern, text):
                found.append(label)
        return found


def cookie_secrets(found: Secrets, client: Client, step: str) -> None:
    for name in (
        django_settings.SESSION_COOKIE_NAME,
        django_settings.CSRF_COOKIE_NAME,
        "verzuim_device",
        "verzuim_trusted",
    ):
        if name in client.cookies and client.cookies[name].value:
            found.add(f"cookie {name} after {step}", client.cookies[name].value)


def test_a_whole_account_life_cycle_leaves_no_secret_in_any_log(
    tenant, logs, settings, time_machine, monkeypatch
):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, 10, tzinfo=datetime.UTC), tick=False)
    secret = Secrets()
    settings.SECRET_KEY = "test-secret-key-" + secrets.token_urlsafe(40)
    secret.add("SECRET_KEY", settings.SECRET_KEY)
    first_password, new_password = "Eerste geheime zin 4711", "Tweede geheime zin 0815"
    secret.add("password", first_password)
    secret.add("new password", new_password)
    secret.add("wrong password", "Fout-geraden-wachtwoord-99")
    browser = RecordingClient()

    # Activation: link, password, phone code, authenticator app, backup codes.
    user = create_user(
        tenant=tenant,
        username="nina.nieuw",
        email="nina@werkgever.example",
        phone="+31612345670",
        roles=["employer_hr"],
    )
    link = newest_link_path(user)
    secret.add("activation token", link.rstrip("/").rsplit("/", 1)[1], deliverable=True)
    assert browser.get(link).status_code == 302
    browser.post(
        "/activate/password/", {"new_password1": first_password, "new_password2": first_password}
    )
    code = last_sms_code(user.phone)
    secret.add("activation SMS code", code, deliverable=True)
    assert browser.post("/activate/phone/", {"code": code}).status_code == 302
    cookie_secrets(secret, browser, "activation")
    add_app = "/accounts/verify/app/add/?next=/activate/backup-codes/"
    browser.get(add_app)
    device = user.totp_devices.get()
    secret.add("TOTP secret", device.secret)
    app_code = sorted(totp_window(device.secret))[0]
    added = browser.post(add_app, {"setup": device.pk, "code": app_code, "name": "Phone"})
    assert added.status_code == 302, added.content.decode()[:2000]
    shown = browser.post("/activate/backup-codes/", {"generate": "1"}).content.decode()
    codes = re.findall(r"\b[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{2}\b", shown)
    assert len(codes) == 10
    for n, backup in enumerate(codes):
        secret.add(f"backup code {n}", backup)
        secret.add(f"backup code {n} plain", backup.replace("-", ""))
    assert browser.post("/activate/finish/", {"saved": "on"}).status_code == 302
    browser.post("/accounts/logout/")

    # Logins: a wrong password, then password + SMS (one wrong code), + app code, + backup code.
    browser.post(LOGIN, {"username": user.username, "password": "Fout-geraden-wachtwoord-99"})
    assert (
        browser.post(LOGIN, {"username": user.username, "password": first_password}).status_code
        == 302
    )
    code = last_sms_code(user.phone)
    secret.add("login SMS code", code, deliverable=True)
    browser.post(SMS_STEP, {"code": f"{(int(code) + 1) % 10**6:06d}"})
    assert browser.post(SMS_STEP, {"code": code}).status_code == 302
    cookie_secrets(secret, browser, "SMS login")
    browser.post("/accounts/logout/")
    time_machine.shift(60)
    browser.post(LOGIN, {"username": user.username, "password": first_password})
    app_code = pyotp.TOTP(device.secret).at(timezone.now())
    secret.add("login app code", app_code)
    assert browser.post(APP_STEP, {"code": app_code}).status_code == 302
    cookie_secrets(secret, browser, "app login")
    browser.post("/accounts/logout/")
    browser.post(LOGIN, {"username": user.username, "password": first_password})
    assert browser.post(BACKUP_STEP, {"code": codes[0]}).status_code == 302
    cookie_secrets(secret, browser, "backup-code login")

    # Lost phone: the e-mailed confirmation link of a phone change after a backup code.
    phone_recovery.send_link(user, "+31612349999", origin=Origin(ip="127.0.0.1"))
    deliver_due()
    mail = OutboxMessage.objects.filter(to=user.email, body__contains="/phone/confirm/").latest(
        "created"
    )
    phone_link = re.search(
        r"https?://[^/\s]+(/settings/security/phone/confirm/[^/\s]+/)", mail.body
    ).group(1)
    secret.add("phone-recovery token", phone_link.rstrip("/").rsplit("/", 1)[1], deliverable=True)
    assert browser.get(phone_link).status_code == 200
    assert browser.post(phone_link).status_code == 302
    assert User.objects.get(pk=user.pk).phone == "+31612349999"
    browser.post("/accounts/logout/")

    # Forgotten password: the link, the new password, a login with it.
    browser.post(FORGOT_PASSWORD, {"username": user.username})
    reset = newest_reset_path(user)
    secret.add("reset token", reset.rstrip("/").rsplit("/", 1)[1], deliverable=True)
    assert browser.get(reset).status_code == 302
    assert (
        browser.post(
            "/recover/password/new/", {"new_password1": new_password, "new_password2": new_password}
        ).status_code
        == 302
    )
    browser.post(LOGIN, {"username": user.username, "password": new_password})
    code = last_sms_code("+31612349999")
    secret.add("second login SMS code", code, deliverable=True)
    assert browser.post(SMS_STEP, {"code": code}).status_code == 302
    cookie_secrets(secret, browser, "login after reset")

    # The SMS provider fails: its auth token must not show up in the failure's log line.
    settings.SMS_BACKEND = "verzuim.messaging.backends.twilio.TwilioSmsBackend"
    settings.TWILIO_ACCOUNT_SID = "AC" + secrets.token_hex(16)
    settings.TWILIO_AUTH_TOKEN = "twilio-token-" + secrets.token_hex(16)
    settings.TWILIO_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    secret.add("Twilio auth token", settings.TWILIO_AUTH_TOKEN)
    browser.post("/accounts/logout/")
    browser.post(LOGIN, {"username": user.username, "password": new_password})
    deliver_due()
    assert OutgoingMessage.objects.filter(channel="sms").exclude(last_error="").exists()

    # A crash in the middle of a login: the error log and report hold no password.
    def crash(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr("verzuim.accounts.actions.check_password_step", crash)
    crashing = RecordingClient(raise_request_exception=False)
    assert (
        crashing.post(LOGIN, {"username": user.username, "password": new_password}).status_code
        == 500
    )

    # --- where secrets must not be ---------------------------------------------------------
    record_texts = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in logs.records
    )
    assert logs.records and "simulated failure" in logs.text
    assert secret.found_in(logs.text) == []
    assert secret.found_in(record_texts) == []
    access = "".join(access_log_line(t, m) for m, t in browser.targets + crashing.targets)
    assert "/settings/security/phone/confirm/" in access
    assert secret.found_in(access) == []
    audit = "\n".join(
        f"{e.login_name} {e.user_agent} {e.reference} {json.dumps(e.data)}"
        for e in AuditEvent.objects.all()
    )
    assert secret.found_in(audit) == []
    reports = "\n".join(f"{r.path} {r.error_type} {r.reference}" for r in ErrorReport.objects.all())
    assert ErrorReport.objects.exists() and secret.found_in(reports) == []
    messages = list(OutgoingMessage.objects.all()) + list(OutboxMessage.objects.all())
    around = "\n".join(
        f"{m.to} {m.sender} {m.subject} {getattr(m, 'last_error', '')} "
        f"{getattr(m, 'provider_id', '')}"
        for m in messages
    )
    assert secret.found_in(around) == []
    never_sent = set(secret.values) - secret.deliverable
    bodies = "\n".join(f"{m.body}\n{m.html_body}" for m in messages)
    assert secret.found_in(bodies, labels=never_sent) == []
