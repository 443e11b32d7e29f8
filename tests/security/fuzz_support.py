"""Shared machinery of the property-based fuzz suite (tests/security/test_fuzz_*.py).

* a Hypothesis settings profile (``VERZUIM_FUZZ_EXAMPLES`` examples per form, no example
  database written into the repository, ``print_blob`` on);
* strategies for hostile values: arbitrary Unicode, control characters, NUL, CR/LF, bidi
  marks, 10k–100k character strings, out-of-range numbers, malformed dates, repeated keys;
* an inventory of the project: every URL pattern (walked from the resolver), the <form>s
  a page renders (parsed with the standard library's HTML parser);
* a fuzz world: the case world of tests/absence plus a user in every login state, so that
  every page can be reached the way a real user reaches it;
* a snapshot of every model's rows, and the per-model policy of what a refused request may
  still change (audit rows, throttle counters, the session store);
* a counter of the examples run, printed at the end of the session.

The world is built once per test module in a transaction rolled back at the module's end;
each test runs in a savepoint inside it (pytest-django), and each Hypothesis example in a
savepoint inside that, rolled back afterwards with the client's cookies and the cache (the
rate-limit counters) reset, so examples never see each other's writes.

Run more examples to hunt: ``VERZUIM_FUZZ_EXAMPLES=300 pytest tests/security/test_fuzz_*``
(default 20 per form, JSON endpoint and upload; half that per query page, a quarter per
URL with path parameters). ``--hypothesis-show-statistics`` does not see the examples (the
Hypothesis tests are built inside each pytest test); the session summary prints the count.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyotp
import pytest
import time_machine
from django import forms as django_forms
from django.apps import apps
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from tests.absence.case_world import NOW, World, build_world, login
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    EmployeeFactory,
    EmployerFactory,
    TenantFactory,
    UserFactory,
)

# --- Hypothesis profile ---------------------------------------------------------------------

#: Examples per form / query / endpoint. CI default; ``VERZUIM_FUZZ_EXAMPLES=300`` hunts.
EXAMPLES = int(os.environ.get("VERZUIM_FUZZ_EXAMPLES", "20"))
#: The suite draws the same examples on every run, so a green build stays green and a
#: failure reproduces; ``VERZUIM_FUZZ_RANDOM=1`` (with a higher example count) hunts for new
#: ones, as a bug hunt found the broken-multipart answer of the WebAuthn endpoints.
RANDOM = os.environ.get("VERZUIM_FUZZ_RANDOM", "") == "1"

# Hypothesis keeps a cache of constants next to the example database: outside the
# repository, like the (disabled) example database.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "verzuim-fuzz-hypothesis")

settings.register_profile(
    "verzuim-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    print_blob=True,
    # No example database: nothing is written into the repository (.hypothesis/).
    database=None,
    # The world is built once per module and every example runs in a savepoint that is
    # rolled back (see ``run_rolled_back``), so fixtures are effectively reset per example.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    # Shrinking a failure is worth it, but keep it bounded on a 2-core CI machine.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
FUZZ = settings.get_profile("verzuim-fuzz")
#: Query strings and path parameters take fewer examples per page: their inputs are fewer
#: and simpler than a form's, and there are many such pages (CI runs the suite twice).
FUZZ_QUERY = settings(FUZZ, max_examples=max(5, EXAMPLES // 2))
FUZZ_PATH = settings(FUZZ, max_examples=max(3, EXAMPLES // 4))


# --- counting examples --------------------------------------------------------------------

EXAMPLE_COUNTS: Counter[str] = Counter()


class _FuzzReport:
    """A pytest plugin, registered by the first fuzz test, that prints the example count."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not EXAMPLE_COUNTS:
            return
        total = sum(EXAMPLE_COUNTS.values())
        terminalreporter.write_sep("-", "fuzz examples")
        terminalreporter.write_line(
            f"fuzz: {total} examples in {len(EXAMPLE_COUNTS)} fuzz tests "
            f"({EXAMPLES} per test requested, VERZUIM_FUZZ_EXAMPLES)"
        )


@pytest.fixture(autouse=True, scope="session")
def _fuzz_example_report(request: pytest.FixtureRequest) -> None:
    manager = request.config.pluginmanager
    if not manager.has_plugin("verzuim-fuzz-report"):
        manager.register(_FuzzReport(), "verzuim-fuzz-report")


def count_example(test_id: str) -> None:
    EXAMPLE_COUNTS[test_id] += 1


# --- hostile values -------------------------------------------------------------------------

SPECIALS = [
    "\x00",
    "\r\n",
    "\n",
    "\r",
    "\t",
    "\x0b",
    "\x1b[31m",
    "\x7f",
    "\u0085",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\ufffd",
    "\U0010ffff",
    "\U0001f600",
    "e\u0301",
    "İ",
    "ß",
    "ﬀ",
    "%00",
    "%0d%0a",
    "'",
    '"',
    "`",
    "\\",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% csrf_token %}",
    "%s%n",
    "../../etc/passwd",
    "' OR '1'='1",
    "--",
    ";",
    "&",
    "=",
    "+",
    "#",
    "?",
    "/",
    "//evil.example",
    "javascript:alert(1)",
]
#: Numbers a form may not expect: out of every column's range, not decimal, not ASCII.
NUMBERS = [
    "-1",
    "0",
    "-0",
    "101",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "1" + "0" * 40,
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "1.5",
    "1,5",
    "0x10",
    "1_000",
    "١٢",
    "１２",
    "²",
    " 7 ",
]
#: Dates no date field may accept.
BAD_DATES = [
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "0000-00-00",
    "0000-01-01",
    "10000-01-01",
    "99999-12-31",
    "2026-06-31",
    "2025-02-29",
    "31-12-2026",
    "2026/06/01x",
    "2026-06-01T25:61",
    "2026-06-01T12:00:60",
    "yesterday",
    "2026-W23",
    "١٤٤٧-٠١-٠١",
    "--",
    "-1-01-01",
]


def overlong(min_size: int = 10_000, max_size: int = 100_000) -> st.SearchStrategy[str]:
    """A 10k–100k character string, built by repetition (Hypothesis caps its own sizes)."""
    piece = st.text(
        alphabet=st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=8
    ).filter(lambda s: not s.isspace() and s.strip() == s)
    return st.tuples(piece, st.integers(min_size, max_size)).map(
        lambda t: (t[0] * (t[1] // len(t[0]) + 1))[: t[1]]
    )


def mixed_text() -> st.SearchStrategy[str]:
    """Arbitrary Unicode interleaved with the special characters above."""
    return st.lists(st.one_of(st.text(max_size=6), st.sampled_from(SPECIALS)), max_size=8).map(
        "".join
    )


#: One hostile value for any field. No surrogates: the test client (like a browser) sends
#: UTF-8, in which a lone surrogate cannot be encoded.
hostile_text: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=40),
    mixed_text(),
    st.sampled_from(SPECIALS),
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(BAD_DATES),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
    st.just(""),
    st.just(" "),
    overlong(2_000, 12_000),
)


# --- HTML forms -----------------------------------------------------------------------------


@dataclass
class HtmlField:
    name: str
    kind: str  # text, password, hidden, email, number, date, datetime-local, checkbox, radio,
    # select, select-multiple, textarea, file, search, tel, url
    value: str = ""
    options: list[str] = field(default_factory=list)
    required: bool = False
    maxlength: int | None = None
    minlength: int | None = None
    min: str | None = None
    max: str | None = None


@dataclass
class HtmlForm:
    page: str
    method: str
    action: str  # an absolute path on this site
    enctype: str
    fields: dict[str, HtmlField] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    @property
    def url_name(self) -> str:
        return url_name_of(self.action)

    def valid_looking(self) -> dict[str, Any]:
        """What a browser would send untouched: every field's value or first option."""
        data: dict[str, Any] = {}
        for f in self.fields.values():
            if f.kind in ("checkbox",):
                if f.value:
                    data[f.name] = f.value
            elif f.kind in ("radio", "select"):
                data[f.name] = f.value or (f.options[0] if f.options else "")
            elif f.kind == "select-multiple":
                data[f.name] = [f.value] if f.value else []
            elif f.kind == "file":
                continue
            else:
                data[f.name] = f.value
        for name, value in self.buttons[:1]:
            data[name] = value
        return data


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: HtmlField | None = None
        self._textarea: HtmlField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = a.get("action", "") or self.page
            path = urlsplit(action).path or urlsplit(self.page).path
            self._form = HtmlForm(
                page=self.page,
                method=(a.get("method") or "get").lower(),
                action=path,
                enctype=a.get("enctype", "application/x-www-form-urlencoded"),
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if name:
                    form.buttons.append((name, a.get("value", "")))
                return
            if not name:
                return
            if kind in ("radio", "checkbox") and name in form.fields:
                target = form.fields[name]
                target.options.append(a.get("value", "on"))
                if "checked" in a:
                    target.value = a.get("value", "on")
                return
            f = HtmlField(
                name=name,
                kind=kind,
                value=a.get("value", ""),
                required="required" in a,
                maxlength=_int(a.get("maxlength")),
                minlength=_int(a.get("minlength")),
                min=a.get("min"),
                max=a.get("max"),
            )
            if kind in ("radio", "checkbox"):
                f.options = [a.get("value", "on")]
                f.value = a.get("value", "on") if "checked" in a else ""
            form.fields[name] = f
        elif tag == "button":
            kind = (a.get("type") or "submit").lower()
            if kind == "submit" and name:
                form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            multiple = "multiple" in a
            self._select = HtmlField(
                name=name,
                kind="select-multiple" if multiple else "select",
                required="required" in a,
            )
            form.fields[name] = self._select
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.value = value
        elif tag == "textarea" and name:
            self._textarea = HtmlField(
                name=name,
                kind="textarea",
                required="required" in a,
                maxlength=_int(a.get("maxlength")),
                minlength=_int(a.get("minlength")),
            )
            form.fields[name] = self._textarea

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def parse_forms(page: str, html: str) -> list[HtmlForm]:
    parser = _FormParser(page)
    parser.feed(html)
    parser.close()
    return parser.forms


def url_name_of(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return f"<unresolved {path}>"
    return match.view_name


# --- URL patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced view name, e.g. "absence:case"
    route: str  # e.g. "verzuim/trajecten/<int:pk>/"


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield Route(f"{namespace}{p.name or p.lookup_str}", prefix + str(p.pattern))


#: The Django admin (/beheer/) is the technical staff's tool, behind its own login: only that
#: login page is in the inventory (``admin:login``); its other pages are Django's own.
ADMIN_PREFIX = "beheer/"


def all_routes() -> list[Route]:
    routes = []
    for route in _walk(get_resolver(), "", ""):
        if route.route.startswith(ADMIN_PREFIX) and route.name != "admin:login":
            continue
        routes.append(route)
    return routes


# --- database snapshots ---------------------------------------------------------------------

#: What a *refused* request may still change, per model (everything else must stay as it
#: was, row for row and column for column):
#:
#: * ``"any"``: the session store (a flash message, the pending login, the last-seen time;
#:   a refusal that blocks an account ends its session) and the throttle counters (counting
#:   refusals is their purpose);
#: * ``"append"``: new rows only, existing rows untouched: the append-only audit log (refused
#:   logins, codes and links are audited) and the error-page register (a 400/403/404 page
#:   shows a reference code that support can look up);
#: * a tuple of column names: only those columns of existing rows: a user's failed
#:   second-step counter (and the block it leads to), a one-time code's tries.
REFUSAL_MAY_CHANGE: dict[str, str | tuple[str, ...]] = {
    "accounts.usersession": "any",
    "accounts.throttle": "any",
    "audit.auditevent": "append",
    "core.errorreport": "append",
    "accounts.user": ("second_step_failures", "blocked_at", "blocked_reason"),
    "mfa.smschallenge": ("tries", "used_at"),
}
#: Tables no web request writes (Django's own bookkeeping): not snapshotted.
NOT_SNAPSHOTTED = {"contenttypes.contenttype", "auth.permission"}


def tracked_models() -> list[Any]:
    return [m for m in apps.get_models() if m._meta.label_lower not in NOT_SNAPSHOTTED]


Snapshot = dict[str, dict[Any, tuple[Any, ...]]]
_TABLES: list[tuple[str, str, list[str], int]] = []


def _tables() -> list[tuple[str, str, list[str], int]]:
    """(label, SELECT, column names, index of the primary key), once per process."""
    if not _TABLES:
        quote = connection.ops.quote_name
        for model in tracked_models():
            columns = [f.column for f in model._meta.concrete_fields]
            sql = "SELECT {} FROM {}".format(
                ", ".join(quote(c) for c in columns), quote(model._meta.db_table)
            )
            label = model._meta.label_lower
            _TABLES.append((label, sql, columns, columns.index(model._meta.pk.column)))
    return _TABLES


def snapshot() -> Snapshot:
    """Every row of every model, by primary key, in one plain SELECT per table (the test
    database is small; this is ~5 ms on SQLite)."""
    snap: Snapshot = {}
    with connection.cursor() as cursor:
        for label, sql, _columns, pk in _tables():
            cursor.execute(sql)
            snap[label] = {row[pk]: tuple(row) for row in cursor.fetchall()}
    return snap


def _columns(label: str) -> list[str]:
    return next(columns for name, _sql, columns, _pk in _tables() if name == label)


def diff(before: Snapshot, after: Snapshot) -> dict[str, dict[str, Any]]:
    """Per model: inserted, deleted and changed primary keys (with the changed columns)."""
    changes: dict[str, dict[str, Any]] = {}
    for label, old in before.items():
        new = after[label]
        inserted = new.keys() - old.keys()
        deleted = old.keys() - new.keys()
        changed: dict[Any, list[str]] = {}
        for pk in old.keys() & new.keys():
            if old[pk] != new[pk]:
                names = _columns(label)
                changed[pk] = [n for n, a, b in zip(names, old[pk], new[pk], strict=True) if a != b]
        if inserted or deleted or changed:
            changes[label] = {"inserted": inserted, "deleted": deleted, "changed": changed}
    return changes


def forbidden_changes(changes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The part of ``changes`` a refused request must not make (see REFUSAL_MAY_CHANGE)."""
    bad: dict[str, dict[str, Any]] = {}
    for label, change in changes.items():
        policy = REFUSAL_MAY_CHANGE.get(label)
        if policy == "any":
            continue
        if policy == "append":
            if change["deleted"] or change["changed"]:
                bad[label] = change
            continue
        if isinstance(policy, tuple):
            stray = {pk: cols for pk, cols in change["changed"].items() if set(cols) - set(policy)}
            if change["inserted"] or change["deleted"] or stray:
                bad[label] = {**change, "changed": stray}
            continue
        bad[label] = change
    return bad


def row_deltas(changes: dict[str, dict[str, Any]]) -> dict[str, tuple[int, int, int]]:
    """(inserted, deleted, changed) counts per model: the shape of what a request did."""
    return {
        label: (len(c["inserted"]), len(c["deleted"]), len(c["changed"]))
        for label, c in changes.items()
        if REFUSAL_MAY_CHANGE.get(label) not in ("any", "append")
    }


class Rollback(Exception):
    pass


@dataclass
class Outcome:
    status: int
    body: bytes
    location: str
    changes: dict[str, dict[str, Any]]
    response: Any


def run_rolled_back(client: Client, send: Callable[[Client], Any]) -> Outcome:
    """Send one request in a savepoint that is rolled back; the client's cookies are put
    back too, so the next example starts from the same state."""
    saved = {k: v for k, v in client.cookies.items()}
    outcome: Outcome | None = None
    # The rate limits count in the cache, outside the savepoint, under a frozen clock (one
    # window for the whole test): reset them, so every example meets the portal afresh.
    cache.clear()
    try:
        with transaction.atomic():
            before = snapshot()
            response = send(client)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            after = snapshot()
            outcome = Outcome(
                response.status_code,
                body,
                response.get("Location", ""),
                diff(before, after),
                response,
            )
            raise Rollback
    except Rollback:
        pass
    finally:
        client.cookies.clear()
        for key, morsel in saved.items():
            client.cookies[key] = morsel
    assert outcome is not None
    return outcome


TRACEBACK_MARKERS = (b"Traceback (most recent call last)", b'File "/', b"django/core/handlers")


def assert_no_server_error(outcome: Outcome, what: str) -> None:
    assert outcome.status < 500, f"{what}: HTTP {outcome.status}\n{outcome.body[:2000]!r}"
    for marker in TRACEBACK_MARKERS:
        assert marker not in outcome.body, f"{what}: a traceback in the body"


def assert_refusal_changed_nothing(outcome: Outcome, what: str) -> None:
    bad = forbidden_changes(outcome.changes)
    assert not bad, (
        f"{what}: a refused request (HTTP {outcome.status} {outcome.location}) changed {bad}"
    )


# --- the fuzz world -------------------------------------------------------------------------


@dataclass
class FuzzWorld:
    """The case world plus a user in every state a page needs."""

    world: World
    tenant: Any
    other_tenant: Any
    users: dict[str, Any]
    ids: dict[str, Any]
    tokens: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    cookies: dict[str, dict[str, Any]] = field(default_factory=dict)

    def client(self, state: str) -> Client:
        """A client in ``state`` (a role logged in with a fresh second factor, a pending
        login, an activation step, a reset link, or anonymous); made once per module."""
        if state not in self.clients:
            self.clients[state] = STATES[state](self)
        return self.clients[state]


def _fresh(client: Client) -> Client:
    session = client.session
    session["mfa_at"] = session["auth_at"] = session["seen_at"] = time.time()
    session["mfa_method"] = "sms"
    session.save()
    return client


def _logged_in(role: str) -> Callable[[FuzzWorld], Client]:
    def make(fw: FuzzWorld) -> Client:
        if role == "hr":
            # A second browser, so the security page offers to end a session.
            fw.clients["hr_elsewhere"] = login(Client(), fw.users[role])
        return _fresh(login(Client(), fw.users[role]))

    return make


def _reauth_sms_sent(fw: FuzzWorld) -> Client:
    """Re-authenticating with an SMS code sent (the page then asks for the code)."""
    client = _fresh(login(Client(), fw.users["sms_user"]))
    client.post("/accounts/verify/again/", {"action": "sms-send"})
    return client


def _phone_change_pending(fw: FuzzWorld) -> Client:
    """A new mobile number entered; the page asks for the code sent to it."""
    client = _fresh(login(Client(), fw.users["sms_user"]))
    response = client.post(
        "/settings/security/phone/", {"action": "number", "phone": "06 12345678"}
    )
    assert response.status_code == 302, response.content[:500]
    return client


def _anonymous(fw: FuzzWorld) -> Client:
    return Client()


def _pending(role: str) -> Callable[[FuzzWorld], Client]:
    """After the password step, before the second one."""

    def make(fw: FuzzWorld) -> Client:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": fw.users[role].username, "password": PASSWORD}
        )
        assert response.status_code == 302, response.content[:300]
        return client

    return make


NEW_PASSWORD = "Zeer-lang-wachtwoord-42"


def _activation(step: str) -> Callable[[FuzzWorld], Client]:
    """The invitation link opened (``password``), or the password set as well (``phone``)."""

    def make(fw: FuzzWorld) -> Client:
        client = Client()
        user = fw.users[f"new_{step}"]
        response = client.get(fw.tokens[f"activation_{step}"])
        assert response.status_code == 302, response.content[:300]
        if step == "phone":
            response = client.post(
                "/activate/password/",
                {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            )
            assert response.status_code == 302, response.content[:500]
            assert user.pk
        return client

    return make


def _activation_logged_in(fw: FuzzWorld) -> Client:
    """Steps 3 and 4 of the activation: logged in, not yet activated."""
    client = _fresh(login(Client(), fw.users["new_factor"]))
    client.post("/activate/backup-codes/", {})  # the codes made: ``finish`` may be posted
    return client


def _reset(fw: FuzzWorld) -> Client:
    client = Client()
    response = client.get(fw.tokens["reset"])
    assert response.status_code == 302, response.content[:300]
    return client


STATES: dict[str, Callable[[FuzzWorld], Client]] = {
    "anonymous": _anonymous,
    "hr": _logged_in("hr"),
    "manager": _logged_in("manager"),
    "case_manager": _logged_in("case_manager"),
    "physician": _logged_in("physician"),
    "support": _logged_in("support"),
    "tenant_admin": _logged_in("tenant_admin"),
    "totp_user": _logged_in("totp_user"),
    "key_user": _logged_in("key_user"),
    "pending_sms": _pending("sms_user"),
    "pending_totp": _pending("totp_user"),
    "pending_key": _pending("key_user"),
    "activation_password": _activation("password"),
    "activation_phone": _activation("phone"),
    "activation_factor": _activation_logged_in,
    "reset": _reset,
    "reauth_sms_sent": _reauth_sms_sent,
    "phone_change_pending": _phone_change_pending,
}


def build_fuzz_world() -> FuzzWorld:
    from tests.mfa.webauthn.conftest import add_key
    from verzuim.absence.models import CaseTask
    from verzuim.accounts import phone_recovery
    from verzuim.accounts.activation.tokens import activation_token, encode_uid
    from verzuim.accounts.models import TrustedDevice
    from verzuim.accounts.recovery.tokens import reset_token
    from verzuim.help.models import FaqItem, Manual, Status, SupportRequest
    from verzuim.mfa.backup_codes.actions import generate_backup_codes
    from verzuim.mfa.totp.actions import confirm_totp_device, start_totp_setup

    # The same tenant and users as the fixtures of tests/conftest.py.
    tenant = TenantFactory(
        slug="demo", host="testserver", name="Arbodienst Demo", support_email="support@demo.example"
    )
    other_tenant = TenantFactory(
        slug="andere", host="andere.verzuim.test", name="Andere Arbodienst"
    )
    users = {
        "hr_user": UserFactory(tenant=tenant, username="hanna.hr", first_name="Hanna"),
        "manager_user": UserFactory(tenant=tenant, username="mark.manager", roles=["manager"]),
        "case_manager_user": UserFactory(
            tenant=tenant, username="cas.casemanager", roles=["case_manager"]
        ),
        "physician_user": UserFactory(
            tenant=tenant, username="bea.bedrijfsarts", roles=["physician"]
        ),
        "support_user": UserFactory(tenant=tenant, username="sanne.support", support=True),
        "foreign_user": UserFactory(tenant=other_tenant, username="hanna.hr"),
    }
    employer = EmployerFactory(tenant=tenant, name="Bakkerij De Korenschoof B.V.")
    sales = DepartmentFactory(employer=employer, name="Verkoop")
    warehouse = DepartmentFactory(employer=employer, name="Magazijn")
    employee = EmployeeFactory(
        employer=employer,
        department=sales,
        manager=users["manager_user"],
        first_name="Sara",
        last_name="de Vries",
        personnel_number="1001",
    )
    other_employer = EmployerFactory(tenant=tenant, name="Andere Werkgever B.V.")
    world = build_world(
        tenant=tenant,
        other_tenant=other_tenant,
        employer=employer,
        sales=sales,
        warehouse=warehouse,
        employee=employee,
        other_employer=other_employer,
        **users,
    )
    people = dict(world.users)
    people["sms_user"] = UserFactory(tenant=tenant, username="sven.sms")
    totp_user = UserFactory(tenant=tenant, username="tom.totp", preferred_method="totp")
    device = start_totp_setup(totp_user)
    confirm_totp_device(device, pyotp.TOTP(device.secret).now(), name="Work phone")
    people["totp_user"] = totp_user
    key_user = UserFactory(tenant=tenant, username="kees.key", preferred_method="webauthn")
    _key, credential = add_key(key_user)
    people["key_user"] = key_user
    generate_backup_codes(people["sms_user"])
    for step in ("password", "phone", "factor"):
        people[f"new_{step}"] = UserFactory(
            tenant=tenant, username=f"nina.{step}", activated_at=None, phone_verified_at=None
        )
    tokens = {
        f"activation_{step}": "/activate/{}/{}/".format(
            encode_uid(people[f"new_{step}"].pk),
            activation_token.make_token(people[f"new_{step}"]),
        )
        for step in ("password", "phone")
    }
    reset_user = UserFactory(tenant=tenant, username="rita.reset")
    people["reset_user"] = reset_user
    uid, token = encode_uid(reset_user.pk), reset_token.make_token(reset_user)
    tokens["reset"] = f"/recover/password/{uid}/{token}/"
    TrustedDevice.objects.create(user=people["hr"], expires_at=timezone.now() + timedelta(days=30))
    tokens["phone_recovery"] = signing.dumps(
        {"u": people["hr"].pk, "old": people["hr"].phone, "new": "+31687654321"},
        salt=phone_recovery.SALT,
    )
    people["blocked_user"] = UserFactory(tenant=tenant, username="bob.blocked", blocked=True)
    faq = FaqItem.objects.create(
        tenant=tenant,
        slug="fuzz-vraag",
        title="Fuzz question",
        body="Body",
        language="en",
        status=Status.PUBLISHED,
    )
    manual = Manual.objects.create(
        tenant=tenant,
        slug="fuzz-handleiding",
        title="Fuzz manual",
        body="Body",
        language="en",
        status=Status.PUBLISHED,
    )
    support_request = SupportRequest.objects.create(
        tenant=tenant,
        user=people["hr"],
        login_name="hanna.hr",
        subject="Help",
        message="Help",
    )
    task = CaseTask.objects.filter(case=world.case).order_by("pk").first()
    healthy = EmployeeFactory(
        employer=employer,
        department=sales,
        first_name="Gijs",
        last_name="Gezond",
        personnel_number="1002",
    )
    ids = {
        "case": world.case.pk,
        "report": world.report.pk,
        "employee": world.employee.pk,
        "document": world.documents["employer"].pk,
        "task": task.pk if task else 0,
        "faq": faq.pk,
        "manual": manual.pk,
        "manual_slug": manual.slug,
        "support_request": support_request.pk,
        "totp_device": totp_user.totp_devices.get().pk,
        "key": credential.pk,
        "support_subject": people["blocked_user"].pk,
        "employer": employer.pk,
        "healthy": healthy.pk,
    }
    return FuzzWorld(world, tenant, other_tenant, people, ids, tokens)


@pytest.fixture(scope="module")
def fuzz_world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzWorld]:
    """The world, built once per test module in a transaction that is rolled back at the
    end of the module (each test runs in a savepoint inside it, each example in a savepoint
    inside that). Under the case world's frozen clock, with a cheap hasher, uploads in a
    temporary folder, every client state logged in up front (outside the tests' savepoints,
    so their sessions last the module), and the per-process memories of tenant and help
    sidebar on, as in production."""
    from verzuim.help.queries import SIDEBARS
    from verzuim.tenants.middleware import TENANTS_BY_HOST

    overrides = override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("fuzz-media")),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        LANGUAGE_CODE="en",
        TENANT_MEMO_SECONDS=600,
        HELP_MEMO_SECONDS=600,
    )
    with django_db_blocker.unblock(), overrides, time_machine.travel(NOW, tick=False):
        try:
            with transaction.atomic():
                fw = build_fuzz_world()
                for state in STATES:
                    fw.client(state)
                fw.cookies = {s: dict(c.cookies.items()) for s, c in fw.clients.items()}
                yield fw
                raise Rollback
        except Rollback:
            pass
        finally:
            TENANTS_BY_HOST.clear()
            SIDEBARS.clear()


@pytest.fixture
def fw(fuzz_world: FuzzWorld) -> FuzzWorld:
    """The module's world, with every client's cookies as they were after logging in."""
    for state, client in fuzz_world.clients.items():
        client.cookies.clear()
        for key, morsel in fuzz_world.cookies[state].items():
            client.cookies[key] = morsel
    return fuzz_world


# --- hostile submissions ----------------------------------------------------------------------


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: A field left out of the submission altogether.
MISSING = _Missing()

TEXT_KINDS = {
    "text",
    "password",
    "textarea",
    "email",
    "search",
    "tel",
    "url",
    "number",
    "date",
    "datetime-local",
}


def refused_by(field: django_forms.Field, value: str) -> bool:
    """True when ``field`` refuses ``value`` in English and in Dutch (used once per field,
    when the strategies are built, never per example)."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    for language in ("en", "nl"):
        with translation.override(language):
            try:
                field.clean(value)
            except (ValidationError, OverflowError, ValueError):
                continue
            return False
    return True


#: Text without a digit: no date, time or number parser can read it.
no_digits = st.text(min_size=1, max_size=30).filter(
    lambda v: v.strip() != "" and not any(c.isdigit() for c in v)
)


def not_among(values: set[str]) -> st.SearchStrategy[str]:
    """A value none of ``values`` (a choice, a key, an id) matches, also not after the
    int(), strip() and casefold() a lenient parser might apply."""

    def new(value: str) -> bool:
        if value in values or value.strip() in values or value.casefold() in values:
            return False
        try:
            return str(int(value)) not in values
        except ValueError:
            return True

    return hostile_text.filter(new)


def junk_bytes() -> st.SearchStrategy[bytes]:
    """File content of no accepted type (no PDF, ZIP, PNG or JPEG signature)."""
    signatures = (b"%PDF", b"PK", b"\x89PNG", b"\xff\xd8", b"\xef\xbb\xbf")
    return st.one_of(
        st.binary(max_size=2048),
        st.text(max_size=200).map(lambda t: t.encode()),
        st.sampled_from([b"", b"\x00" * 64, b"<html><script>alert(1)</script>", b"GIF89a"]),
    ).filter(lambda b: not b.startswith(signatures))


def _kept_by_the_parser(name: str) -> bool:
    """Django's multipart parser drops a file whose name is empty after removing paths and
    non-printable characters (or is "." or ".."): that is no upload at all, which an optional
    file field rightly accepts."""
    from django.http.multipartparser import MultiPartParser

    return MultiPartParser.sanitize_file_name(None, name) is not None  # type: ignore[arg-type]


def file_names() -> st.SearchStrategy[str]:
    extensions = [".pdf", ".docx", ".odt", ".jpg", ".png", ".csv", ".exe", ".html", ".svg", ""]
    return (
        st.tuples(
            st.one_of(st.text(max_size=20), overlong(300, 5_000), st.sampled_from(SPECIALS)),
            st.sampled_from(extensions),
        )
        .map(lambda t: t[0] + t[1])
        .filter(_kept_by_the_parser)
    )


def junk_upload() -> st.SearchStrategy[SimpleUploadedFile]:
    return st.tuples(
        file_names(),
        junk_bytes(),
        st.sampled_from(
            ["application/pdf", "image/png", "text/csv", "application/octet-stream", "text/html"]
        ),
    ).map(lambda t: SimpleUploadedFile(t[0], t[1], content_type=t[2]))


@dataclass(frozen=True)
class FieldRules:
    """What the table knows beyond the HTML: fields that take anything (``free``), fields
    that take only these values (``choices``: hidden inputs and named buttons), and file
    fields that must refuse content of the wrong type (``typed_files``)."""

    free: frozenset[str] = frozenset()
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()
    typed_files: frozenset[str] = frozenset()


def poisons(f: HtmlField, rules: FieldRules) -> list[st.SearchStrategy[Any]]:
    """Values of ``f`` that the form must refuse, from the field's own HTML constraints."""
    if f.name in rules.free or f.name == "csrfmiddlewaretoken":
        return []
    found: list[st.SearchStrategy[Any]] = []
    choices = dict(rules.choices)
    if f.name in choices:
        found.append(not_among(set(choices[f.name])))
    if f.kind == "hidden":
        return found
    if f.kind == "file":
        if f.required:
            found += [
                st.just(MISSING),
                hostile_text,  # text instead of a file
                st.just(SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf")),
            ]
        if f.name in rules.typed_files:
            found.append(junk_upload())
        return found
    if f.kind == "checkbox":
        if f.required:
            found.append(st.just(MISSING))
        if len(f.options) > 1:  # a group: a multiple choice
            found.append(st.lists(not_among(set(f.options)), min_size=1, max_size=3))
        return found
    if f.kind in ("radio", "select", "select-multiple"):
        options = set(f.options)
        found.append(not_among(options | {""}))
        if f.required and f.kind == "radio":
            found.append(st.just(MISSING))
        return found
    if f.kind not in TEXT_KINDS:
        return found
    if f.required:
        found += [st.just(MISSING), st.just("")]
    if f.maxlength:
        found.append(longer_than(f.maxlength))
    if f.minlength and f.minlength > 1:
        found.append(
            st.text(
                alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=f.minlength - 1
            )
        )
    if f.kind == "email":
        found.append(hostile_text.filter(lambda v: v.strip() != "" and "@" not in v))
    if f.kind in ("date", "datetime-local"):
        parser = django_forms.DateField() if f.kind == "date" else django_forms.DateTimeField()
        bad = [v for v in BAD_DATES if refused_by(parser, v)]
        found.append(st.one_of(st.sampled_from(bad), no_digits))
    if f.kind == "number":
        number = django_forms.IntegerField(
            min_value=int(f.min) if f.min else None, max_value=int(f.max) if f.max else None
        )
        bad = [v for v in NUMBERS if refused_by(number, v)]
        found.append(st.one_of(st.sampled_from(bad), no_digits))
    # Every Django CharField refuses NUL (and so does every other field type).
    found.append(st.tuples(hostile_text, hostile_text).map(lambda t: f"{t[0]}\x00{t[1]}"))
    return found


def longer_than(limit: int) -> st.SearchStrategy[str]:
    """Just over ``limit`` characters, or 10k–100k; never shortened by strip()."""
    return st.one_of(
        overlong(limit + 1, limit + 20),
        overlong(max(limit + 1, 10_000), max(limit + 1, 100_000)),
    )


def any_value(f: HtmlField) -> st.SearchStrategy[Any]:
    """Anything for a field that is not the poisoned one: its own value, a hostile one,
    nothing, or the key repeated."""
    own: Any = f.value
    if f.kind in ("select", "radio"):
        own = f.value or (f.options[0] if f.options else "")
    if f.kind == "file":
        return st.one_of(st.just(MISSING), hostile_text, junk_upload())
    return st.one_of(
        st.just(own),
        st.just(own),
        hostile_text,
        st.just(MISSING),
        st.lists(hostile_text, min_size=2, max_size=4),
    )


extra_fields = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda k: k not in ("next", "action")),
    st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3)),
    max_size=3,
)


@dataclass
class Submission:
    data: dict[str, Any]
    poisoned: str  # the field made invalid ("" when none is)
    urlencoded: bool

    def send(self, client: Client, path: str) -> Any:
        has_file = any(isinstance(v, SimpleUploadedFile) for v in self.data.values())
        for value in self.data.values():
            if isinstance(value, SimpleUploadedFile):
                value.seek(0)
        if self.urlencoded and not has_file:
            return client.post(
                path,
                urlencode(self.data, doseq=True),
                content_type="application/x-www-form-urlencoded",
            )
        return client.post(path, self.data)


def submissions(
    form: HtmlForm,
    rules: FieldRules,
    *,
    poisoned: bool,
    baseline: dict[str, Any] | None = None,
) -> st.SearchStrategy[Submission]:
    """Hostile submissions of ``form``; with ``poisoned``, one field is certainly invalid
    by the field's own rules (HTML constraints, ``rules``), whatever the others hold. A
    poisoned submission starts from ``baseline`` (a submission the form accepts), so most
    of its other fields are valid and the refusal is the poisoned field's doing."""
    start = base_submission(form, baseline)
    candidates = {name: poisons(f, rules) for name, f in form.fields.items()}
    candidates = {name: p for name, p in candidates.items() if p}

    @st.composite
    def build(draw: Any) -> Submission:
        data: dict[str, Any] = {}
        target = ""
        if poisoned:
            target = draw(st.sampled_from(sorted(candidates)))
        for name, f in form.fields.items():
            if name == target:
                continue
            if poisoned and name in start and draw(st.integers(0, 9)) < 8:
                value = start[name]
            else:
                value = draw(any_value(f))
            if value is not MISSING:
                data[name] = value
        for name, value in form.buttons[:1]:
            data.setdefault(name, value)
        for key, value in draw(extra_fields).items():
            if key not in form.fields and key not in dict(form.buttons):
                data[key] = value
        for key, value in start.items():
            if key not in form.fields and key not in data and poisoned:
                data[key] = value
        if target:
            value = draw(st.one_of(*candidates[target]))
            data.pop(target, None)
            if value is not MISSING:
                if not isinstance(value, (list, SimpleUploadedFile)) and draw(st.booleans()):
                    # The key repeated, the poison last (the value a form reads).
                    value = [*draw(st.lists(hostile_text, min_size=1, max_size=2)), value]
                data[target] = value
        return Submission(data, target, draw(st.booleans()))

    return build()


def base_submission(form: HtmlForm, baseline: dict[str, Any] | None) -> dict[str, Any]:
    """The page's own values overridden by ``baseline`` (MISSING there drops a field)."""
    data = {**form.valid_looking(), **(baseline or {})}
    return {k: v for k, v in data.items() if v is not MISSING}


def poisonable(form: HtmlForm, rules: FieldRules) -> bool:
    return any(poisons(f, rules) for f in form.fields.values())
