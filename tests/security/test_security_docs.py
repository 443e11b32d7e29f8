"""The security documents stay true to the code they describe.

Plain file reading (as ``tests/test_asvs_doc.py``): the documents exist, every test id they
name exists, the inventories list everything the code has (audit events, loggers, retention
terms), the nginx snippet pins the TLS versions, and gunicorn takes its certificate from the
environment as ``docs/deployment.md`` says.
"""

from __future__ import annotations

import re
import runpy
import ssl
from pathlib import Path

import pytest

from tests.test_asvs_doc import TEST_ID_RE, _defined_names
from verzuim.absence import retention
from verzuim.audit.models import Event

ROOT = Path(__file__).resolve().parent.parent.parent
SECURITY = ROOT / "docs" / "security"
NEW_DOCS = (
    SECURITY / "data-classification.md",
    SECURITY / "logging.md",
    SECURITY / "key-management.md",
    SECURITY / "validation-rules.md",
    SECURITY / "support-identity-proofing.md",
)
ALL_DOCS = (
    *NEW_DOCS,
    ROOT / "docs" / "deployment.md",
    ROOT / "SECURITY.md",
    ROOT / "CONTRIBUTING.md",
)
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


@pytest.mark.parametrize("path", ALL_DOCS, ids=lambda p: p.name)
def test_the_security_documents_exist_and_have_no_placeholders(path):
    text = _read(path)
    assert len(text) > 1000, f"{path} is missing or nearly empty"
    for marker in ("TBD", "TODO", "FIXME", "lorem ipsum"):
        assert marker not in text, f"{path.name} still holds the placeholder {marker!r}"


def test_every_test_id_named_in_the_documents_exists():
    cache: dict[Path, set[str]] = {}
    named: set[str] = set()
    missing = []
    for path in ALL_DOCS:
        for test_id in sorted(set(TEST_ID_RE.findall(_read(path)))):
            named.add(test_id)
            file_part, name = test_id.split("::")
            target = ROOT / file_part
            if not target.is_file() or name not in _defined_names(target, cache):
                missing.append(f"{path.name}: {test_id}")
    assert not missing, "test ids that do not exist:\n" + "\n".join(missing)
    assert len(named) > 100  # the documents do cite the tests behind their claims


def test_the_nginx_snippet_allows_only_tls_1_2_and_1_3():
    snippets = _code_blocks(_read(ROOT / "docs" / "deployment.md"), "nginx")
    assert snippets, "docs/deployment.md has no nginx snippet"
    config = "\n".join(snippets)
    assert re.search(r"^\s*ssl_protocols TLSv1\.2 TLSv1\.3;", config, re.M)
    ciphers = re.search(r"^\s*ssl_ciphers ([^;]+);", config, re.M)
    assert ciphers, "the nginx snippet sets no cipher list"
    for suite in ciphers.group(1).split(":"):
        # Forward secrecy and authenticated encryption only: no RSA key exchange, CBC or SHA-1.
        assert suite.startswith("ECDHE-"), suite
        assert "GCM" in suite or "CHACHA20-POLY1305" in suite, suite
    # The hop to the app servers is TLS, verified against the internal CA.
    assert "proxy_pass https://" in config
    assert re.search(r"^\s*proxy_ssl_verify on;", config, re.M)
    assert re.search(r"^\s*proxy_ssl_trusted_certificate \S+;", config, re.M)


def _gunicorn_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    for name in ("GUNICORN_CERTFILE", "GUNICORN_KEYFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_reads_its_certificate_from_the_environment(monkeypatch):
    plain = _gunicorn_settings(monkeypatch)
    assert plain["certfile"] is None and plain["keyfile"] is None

    tls = _gunicorn_settings(
        monkeypatch,
        GUNICORN_CERTFILE="/etc/ssl/verzuim/app.pem",
        GUNICORN_KEYFILE="/etc/ssl/verzuim/app.key",
    )
    assert tls["certfile"] == "/etc/ssl/verzuim/app.pem"
    assert tls["keyfile"] == "/etc/ssl/verzuim/app.key"

    # Whatever the OpenSSL build allows, the app server speaks TLS 1.2 or newer only.
    context = tls["ssl_context"](None, lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


def test_gunicorn_refuses_a_certificate_without_its_key(monkeypatch):
    with pytest.raises(ValueError, match="GUNICORN_KEYFILE"):
        _gunicorn_settings(monkeypatch, GUNICORN_CERTFILE="/etc/ssl/verzuim/app.pem")
    with pytest.raises(ValueError, match="GUNICORN_CERTFILE"):
        _gunicorn_settings(monkeypatch, GUNICORN_KEYFILE="/etc/ssl/verzuim/app.key")


def test_the_log_inventory_lists_every_audit_event_and_logger():
    text = _read(SECURITY / "logging.md")
    missing = [value for value in Event.values if f"`{value}`" not in text]
    assert not missing, f"audit events missing from docs/security/logging.md: {missing}"

    loggers = set()
    for source in (ROOT / "verzuim").rglob("*.py"):
        module = ".".join(source.relative_to(ROOT).with_suffix("").parts)
        code = _read(source)
        if "getLogger(__name__)" in code:
            loggers.add(module)
        loggers.update(re.findall(r'getLogger\("(verzuim[\w.]*)"\)', code))
    assert loggers, "no loggers found: the scan itself is broken"
    missing = sorted(name for name in loggers if f"`{name}`" not in text)
    assert not missing, f"loggers missing from docs/security/logging.md: {missing}"


def test_the_retention_schedule_states_the_terms_of_the_purge_job():
    text = _read(SECURITY / "data-classification.md")
    for name in ("DOSSIER_YEARS", "DOSSIER_YEARS_OWN_RISK_ZW", "ADMINISTRATIVE_YEARS"):
        years = getattr(retention, name)
        assert f"`{name}` = **{years} years**" in text, f"{name} ({years}) is not in the schedule"
