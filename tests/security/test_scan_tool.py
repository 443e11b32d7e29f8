"""`make security-scan` (scripts/security_scan.py) without running the real scanners.

What is proven here: the script refuses any target but 127.0.0.1/localhost before it starts
anything; wapiti's levels map onto our severities and a medium finding (or an injectable
parameter from sqlmap) fails the run; the report names the findings but never the session
cookie; the crawl sampling keeps exactly the chosen objects; the scanner pins come from
pyproject.toml's ``scan`` extra.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    name = "security_scan_under_test"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "security_scan.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file loads
    spec.loader.exec_module(module)
    return module


scan = _load()

SESSION_KEY = "k" * 32


def wapiti_report(*, vulnerabilities=None, anomalies=None, additionals=None):
    """The shape of wapiti 3.2's JSON report (wapitiCore/report/jsonreportgenerator.py)."""

    def entry(level, path="/help/search/", parameter="q", info="found"):
        return {
            "method": "GET",
            "path": path,
            "info": info,
            "level": level,
            "parameter": parameter,
            "referer": "",
            "module": "xss",
            "http_request": f"GET {path} HTTP/1.1\nCookie: verzuim_session={SESSION_KEY}",
            "curl_command": f"curl -H 'Cookie: verzuim_session={SESSION_KEY}'",
            "wstg": ["WSTG-INPV-01"],
        }

    return {
        "classifications": {},
        "vulnerabilities": {k: [entry(*e) for e in v] for k, v in (vulnerabilities or {}).items()},
        "anomalies": {k: [entry(*e) for e in v] for k, v in (anomalies or {}).items()},
        "additionals": {k: [entry(*e) for e in v] for k, v in (additionals or {}).items()},
        "infos": {"crawled_pages_nbr": 12},
    }


# --- the target guard -----------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "10.0.0.1",
        "192.168.1.20",
        "example.com",
        "http://203.0.113.5:8000/",
        "http://127.0.0.1.nip.io/",
        "http://localhost.example.com/",
        "http://127.0.0.1@example.com/",
        "http://user:pw@127.0.0.1/",
        "ftp://127.0.0.1/",
        "127.1",
        "0x7f000001",
        "http://[::ffff:127.0.0.1]/",
        "127.0.0.2",
        "",
    ],
)
def test_the_scan_refuses_every_target_but_127_0_0_1_and_localhost(target):
    with pytest.raises(scan.TargetRefused):
        scan.check_target(target)


@pytest.mark.parametrize(
    "target", ["127.0.0.1", "localhost", "LOCALHOST", "http://127.0.0.1:8000/accounts/login/"]
)
def test_the_scan_accepts_the_loopback_address_and_localhost(target):
    assert scan.check_target(target) in {"127.0.0.1", "localhost"}


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("demo.localhost:8123", True),
        ("127.0.0.1:8123", True),
        ("portal.example.nl:443", False),
        ("localhost.example.nl", False),
        (".localhost", False),
    ],
)
def test_the_tenant_host_header_must_be_a_loopback_name(value, allowed):
    if allowed:
        assert scan.check_host_header(value) == value
    else:
        with pytest.raises(scan.TargetRefused):
            scan.check_host_header(value)


def test_a_remote_target_is_refused_before_anything_starts(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(scan, "running_portal", lambda *a, **k: started.append(a))
    monkeypatch.setattr(scan, "run_wapiti", lambda *a, **k: started.append(a))
    monkeypatch.setattr(scan, "run_sqlmap", lambda *a, **k: started.append(a))

    assert scan.main(["--target", "portal.example.nl"]) == 2

    assert started == []
    assert "refusing target" in capsys.readouterr().err


# --- severities and the gate ------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "level", "expected"),
    [
        ("Cross Site Scripting", 2, "medium"),
        ("SQL Injection", 4, "high"),
        ("Internal Server Error", 3, "high"),
        ("Secure Flag cookie", 1, "low"),
        ("HTTP Methods", 0, "none"),
        ("Open Redirect", 1, "medium"),  # rated up: phishing material on a login portal
        ("Something new", "not a level", "high"),  # unknown levels are not waved through
    ],
)
def test_wapiti_levels_map_onto_our_severities(category, level, expected):
    assert scan.wapiti_severity(category, level) == expected


def test_a_medium_wapiti_finding_fails_the_gate_and_low_ones_do_not():
    report = wapiti_report(
        vulnerabilities={
            "Cross Site Scripting": [(2,)],
            "Secure Flag cookie": [(1, "/", "", "Secure flag is not set in the cookie : x")],
        },
        additionals={"HTTP Methods": [(0, "/", "", "OPTIONS")]},
    )
    findings = scan.parse_wapiti(report, "logged in")

    failing = scan.gate(findings)

    assert [(f.category, f.severity) for f in failing] == [("Cross Site Scripting", "medium")]
    assert scan.gate([f for f in findings if f.category != "Cross Site Scripting"]) == []


def test_anomalies_count_for_the_gate_too():
    report = wapiti_report(anomalies={"Internal Server Error": [(3, "/verzuim/medewerkers/")]})

    failing = scan.gate(scan.parse_wapiti(report, "anonymous"))

    assert [(f.category, f.path) for f in failing] == [
        ("Internal Server Error", "/verzuim/medewerkers/")
    ]


def test_sqlmap_injection_points_are_high_findings():
    log_text = (
        "sqlmap identified the following injection point(s) with a total of 40 HTTP(s) "
        "requests:\n---\nParameter: q (GET)\n    Type: boolean-based blind\n---\n"
    )
    result = scan.parse_sqlmap("help search", "", log_text)

    findings = scan.sqlmap_findings(result)

    assert result.finished and result.injectable == [("q", "GET")]
    assert [(f.severity, f.parameter) for f in scan.gate(findings)] == [("high", "q")]


def test_sqlmap_without_a_verdict_is_not_taken_for_a_clean_result():
    clean = scan.parse_sqlmap(
        "login", "[CRITICAL] all tested parameters do not appear to be injectable.", ""
    )
    cut_off = scan.parse_sqlmap("login", "[CRITICAL] connection refused", "")

    assert clean.finished and not clean.injectable
    assert not cut_off.finished
    assert "connection refused" in cut_off.note


def test_the_findings_never_carry_the_session_key():
    report = wapiti_report(
        vulnerabilities={"Cross Site Scripting": [(2, "/x/", "q", f"echoed {SESSION_KEY}")]}
    )

    findings = scan.parse_wapiti(report, "logged in", secrets_to_hide=[SESSION_KEY])

    assert all(SESSION_KEY not in repr(f) for f in findings)
    assert "[redacted]" in findings[0].info


# --- the run as a whole, with stand-ins for the portal and the scanners ------------------


@pytest.fixture
def fake_run(monkeypatch, tmp_path):
    """main() with the portal, wapiti and sqlmap replaced; returns (set findings, run)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for tool in ("wapiti", "sqlmap"):
        (venv / "bin" / tool).write_text("")
    monkeypatch.setattr(scan, "SCAN_VENV", venv)
    monkeypatch.setattr(scan, "scanner_versions", lambda: {"wapiti3": "9.9", "sqlmap": "9.9"})
    monkeypatch.setattr(scan.signal, "signal", lambda *a: None)
    portal = scan.Portal(
        address="127.0.0.1",
        port=8123,
        host_header="demo.localhost:8123",
        cookie_name="verzuim_session",
        session_key=SESSION_KEY,
        employer="1",
        samples={},
        env={},
        csrf_cookie="csrftoken=" + "c" * 32,
        database_url="sqlite:///x",
        database_kind="sqlite",
    )

    @contextlib.contextmanager
    def running_portal(kind, tmp, username, address):
        yield portal

    class NoReset:
        rounds = 0

        def __init__(self, portal):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

    wapiti_findings: list = []
    sqlmap_points: list = []
    monkeypatch.setattr(scan, "running_portal", running_portal)
    monkeypatch.setattr(scan, "ThrottleReset", NoReset)
    monkeypatch.setattr(scan, "http_status", lambda *a, **k: 200)
    monkeypatch.setattr(
        scan,
        "run_wapiti",
        lambda portal, label, *a, **k: scan.WapitiRun(
            label,
            ("xss",),
            12,
            1.0,
            scan.parse_wapiti(wapiti_report(**(wapiti_findings or [{}])[0]), label, [SESSION_KEY]),
            {"xss": (12, False)},
        ),
    )
    monkeypatch.setattr(
        scan,
        "run_sqlmap",
        lambda portal, target, *a, **k: scan.SqlmapResult(
            target.label, finished=True, injectable=list(sqlmap_points)
        ),
    )
    report = tmp_path / "scan-report.md"

    def run():
        code = scan.main(["--quick", "--database", "sqlite", "--report", str(report)])
        return code, report.read_text(encoding="utf-8")

    return wapiti_findings, sqlmap_points, run


def test_a_medium_wapiti_finding_fails_the_run_and_is_listed_in_the_report(fake_run):
    wapiti_findings, _points, run = fake_run
    wapiti_findings.append(
        {"vulnerabilities": {"Cross Site Scripting": [(2, "/help/search/", "q", "reflected")]}}
    )

    code, report = run()

    assert code == 1
    assert "**failed**" in report
    assert "| medium | Cross Site Scripting |" in report
    assert SESSION_KEY not in report


def test_a_run_with_only_low_findings_passes(fake_run):
    wapiti_findings, _points, run = fake_run
    wapiti_findings.append(
        {"vulnerabilities": {"Secure Flag cookie": [(1, "/", "", "Secure flag is not set")]}}
    )

    code, report = run()

    assert code == 0
    assert "Medium and higher: **none**." in report
    assert "| low | Secure Flag cookie |" in report


def test_an_injectable_parameter_from_sqlmap_fails_the_run(fake_run):
    _findings, sqlmap_points, run = fake_run
    sqlmap_points.append(("username", "POST"))

    code, report = run()

    assert code == 1
    assert "**injectable**: username" in report


# --- crawl sampling and installation -----------------------------------------------------


@pytest.mark.parametrize("keep", [[1], [7, 123], [10, 100, 1000], [5, 50, 55, 500]])
def test_the_crawl_keeps_exactly_the_sampled_objects(keep):
    prefix = "http://127.0.0.1:8123/verzuim/medewerkers/"
    patterns = scan.id_exclusions(prefix, keep)

    def excluded(url):
        return any(scan.wildcard_match(p, url) for p in patterns)

    for pk in range(0, 1200):
        for suffix in ("/", "/ziekmelden/"):
            assert excluded(f"{prefix}{pk}{suffix}") is (pk not in keep), (pk, suffix)
    assert not excluded(prefix)
    assert not excluded(prefix + "?q=jansen&page=2")


def test_the_scanner_pins_come_from_the_scan_extra_of_pyproject():
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["scan"]

    assert scan.scan_requirements() == extra
    assert {r.split("==")[0] for r in extra} == {"wapiti3", "sqlmap"}
    assert all("==" in r for r in extra)


STRACE_LOG = """\
5502  connect(4, {sa_family=AF_INET, sin_port=htons(8123), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
5503  connect(5, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT
5504  sendto(6, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("192.0.2.53")}, 16) = 1
5505  connect(7, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = 0
"""  # noqa: E501 - strace's own lines


def test_the_traffic_check_names_every_address_off_this_machine():
    seen = scan.contacted(STRACE_LOG)

    assert seen == {("127.0.0.1", 8123): 1, ("192.0.2.53", 53): 1, ("2001:db8::1", 443): 1}
    assert scan.off_machine(seen) == ["192.0.2.53:53", "2001:db8::1:443"]
    assert scan.off_machine(scan.contacted(STRACE_LOG.splitlines()[0])) == []


def test_scanner_traffic_that_leaves_the_machine_makes_the_run_fail(fake_run, monkeypatch):
    _findings, _points, run = fake_run
    sqlmap = scan.run_sqlmap

    def leaking_sqlmap(*args, **kwargs):
        scan.TRAFFIC[("192.0.2.53", 53)] += 1
        return sqlmap(*args, **kwargs)

    monkeypatch.setattr(scan, "run_sqlmap", leaking_sqlmap)

    code, report = run()

    assert code == 2
    assert "**incomplete**" in report
    assert "192.0.2.53:53" in report


def test_a_server_error_to_any_scanner_request_fails_the_gate():
    log_text = (
        '127.0.0.1 [01/Dec/2026:13:42:15 +0100] "POST /accounts/login/ HTTP/1.1" 429 43 0.01 <1>\n'
        '127.0.0.1 [01/Dec/2026:13:42:16 +0100] "POST HTTP/1.1" 400 0 0.01 <1>\n'
        '127.0.0.1 [01/Dec/2026:13:42:17 +0100] "GET /help/search/ HTTP/1.1" 500 99 0.2 <2>\n'
    )

    statuses, errors = scan.access_log(log_text)

    assert statuses == {429: 1, 400: 1, 500: 1}
    assert [(f.severity, f.method, f.path) for f in scan.gate(errors)] == [
        ("high", "GET", "/help/search/")
    ]
