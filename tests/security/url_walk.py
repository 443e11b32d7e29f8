"""Every URL pattern of the portal and how to request it: the walk behind the every-response,
CSRF and state-change tests of tests/security.

The patterns come from the resolver, not from a list: ``routes()`` flattens the URLconf.
``plan_for()`` says, per pattern, who requests it (the role that may use it), how its path
parameters are filled in from the ``WalkWorld`` and what a plausible form body is. Admin
patterns are planned from the admin site's own registry. ``unplanned()`` lists every pattern
that has no plan and no reasoned entry in ``EXCLUDED``; the guard tests fail on it, so a new
URL cannot slip past these tests.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.absence.case_world import World, build_world, login
from tests.conftest import last_sms_code
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    EmployeeFactory,
    EmployerFactory,
    UserFactory,
)
from verzuim.absence.models import CaseTask

# --- the patterns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # the pattern as written, e.g. "verzuim/trajecten/<int:pk>/"
    name: str  # "namespace:name" ("" for unnamed admin redirects)
    callback: Callable[..., Any]

    @property
    def params(self) -> list[str]:
        return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.route)]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    found: list[Route] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if entry.name else f"{namespace}:"
            found.append(Route(prefix + str(entry.pattern), name.lstrip(":"), entry.callback))
    return found


def routes() -> list[Route]:
    """Every URL pattern the portal answers to, in URLconf order."""
    return _walk(get_resolver().url_patterns)


# --- the data the walk requests --------------------------------------------------------------


@dataclass
class WalkWorld:
    """``case_world``'s World plus one object of every other kind a URL can name."""

    world: World
    task: Any
    totp: Any
    key: Any
    support_request: Any
    manual: Any
    faq: Any
    activation_user: Any
    activation_path: str
    reset_path: str
    error_reference: str = ""
    users: dict[str, Any] = field(default_factory=dict)


def build_walk_world(world: World) -> WalkWorld:
    from tests.mfa.webauthn.conftest import add_key
    from verzuim.accounts.activation.actions import activation_link
    from verzuim.accounts.recovery.actions import reset_link
    from verzuim.help.actions import create_support_request
    from verzuim.help.models import FaqItem, Manual
    from verzuim.mfa.totp.actions import confirm_totp_device, start_totp_setup

    users = dict(world.users)
    hr = users["hr"]
    staff = UserFactory(tenant=hr.tenant, username="stan.staff", is_staff=True,
                        is_superuser=True, roles=["tenant_admin"])
    users["staff"] = staff
    device = start_totp_setup(hr)
    import pyotp
    from django.utils import timezone

    confirm_totp_device(device, pyotp.TOTP(device.secret).at(timezone.now()), name="Phone")
    _soft_key, key = add_key(hr)
    request = create_support_request(hr, subject="Printer", message="It is broken")
    manual = Manual.objects.create(tenant=hr.tenant, title="Manual", slug="manual-one",
                                   body="Text", language="en", status="published")
    faq = FaqItem.objects.create(tenant=hr.tenant, title="Question", slug="question-one",
                                 body="Answer", language="en", status="published")
    fresh = UserFactory(tenant=hr.tenant, username="nina.nieuw", activated_at=None,
                        phone_verified_at=None)
    return WalkWorld(
        world=world,
        task=CaseTask.objects.filter(case=world.case).order_by("pk").first(),
        totp=device,
        key=key,
        support_request=request,
        manual=manual,
        faq=faq,
        activation_user=fresh,
        activation_path=_path(activation_link(fresh)),
        reset_path=_path(reset_link(users["manager"])),
        users=users,
    )


@pytest.fixture
def walk_world(
    settings, tmp_path, tenant, other_tenant, hr_user, manager_user, case_manager_user,
    physician_user, support_user, foreign_user,
) -> WalkWorld:
    """case_world's sick employee and a user per role (as tests/absence/conftest.py builds
    them), plus the objects of ``build_walk_world``; uploads go to a temporary folder and
    passwords use a cheap hasher (hashing is tested in accounts)."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in (hr_user, manager_user):  # their hashes were made with the real hasher
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    employer = EmployerFactory(tenant=tenant, name="Bakkerij De Korenschoof B.V.")
    sales = DepartmentFactory(employer=employer, name="Verkoop")
    warehouse = DepartmentFactory(employer=employer, name="Magazijn")
    employee = EmployeeFactory(employer=employer, department=sales, manager=manager_user,
                               first_name="Sara", last_name="de Vries", personnel_number="1001")
    world = build_world(
        tenant=tenant, other_tenant=other_tenant, employer=employer, sales=sales,
        warehouse=warehouse, employee=employee,
        other_employer=EmployerFactory(tenant=tenant, name="Andere Werkgever B.V."),
        hr_user=hr_user, manager_user=manager_user, case_manager_user=case_manager_user,
        physician_user=physician_user, support_user=support_user, foreign_user=foreign_user,
    )
    return build_walk_world(world)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


# --- who requests what --------------------------------------------------------------------------

#: Who requests a pattern, by its start (the first match wins). "anonymous": nobody logged in;
#: "pending": the password step of ``hr`` is done, the second step is not.
ROLE_RULES: list[tuple[str, str]] = [
    (r"^healthz$", "anonymous"),
    (r"^accounts/login/$", "anonymous"),
    (r"^accounts/verify/(sms|backup-code|app|key)/(resend/|options/|verify/|blocked/)?$",
     "pending"),
    (r"^activate/", "anonymous"),
    (r"^recover/", "anonymous"),
    (r"^i18n/", "anonymous"),
    (r"^help/(support-requests|manage)/", "support_or_admin"),
    (r"^support/", "support"),
    (r"^verzuim/trajecten/<int:pk>/(advies|medisch)/", "physician"),
    (r"^verzuim/trajecten/<int:pk>/taken/", "case_manager"),
    (r"^beheer/", "staff"),
    (r"", "hr"),
]


def role_for(route: Route) -> str:
    for pattern, role in ROLE_RULES:
        if re.search(pattern, route.route):
            if role == "support_or_admin":
                return "tenant_admin" if "/manage/" in f"/{route.route}" else "support"
            return role
    raise AssertionError(route)  # the last rule matches everything


#: Path parameters per pattern (admin patterns are filled in by ``_admin_kwargs``).
ARGS: dict[str, Callable[[WalkWorld], dict[str, Any]]] = {
    "accounts/verify/app/<int:pk>/remove/": lambda w: {"pk": w.totp.pk},
    "accounts/verify/key/<int:pk>/remove/": lambda w: {"pk": w.key.pk},
    "activate/<str:uidb64>/<str:token>/": lambda w: dict(
        zip(("uidb64", "token"), w.activation_path.strip("/").split("/")[1:], strict=True)
    ),
    "recover/password/<str:uidb64>/<str:token>/": lambda w: dict(
        zip(("uidb64", "token"), w.reset_path.strip("/").split("/")[2:], strict=True)
    ),
    # A made-up token: a real one is mailed only during a phone change (tested in accounts).
    "settings/security/phone/confirm/<str:token>/": lambda w: {"token": "made-up.token"},
    "help/manuals/<slug:slug>/": lambda w: {"slug": w.manual.slug},
    "help/support-requests/<int:pk>/": lambda w: {"pk": w.support_request.pk},
    "help/support-requests/<int:pk>/status/": lambda w: {"pk": w.support_request.pk},
    "help/support-requests/<int:pk>/screenshot/": lambda w: {"pk": w.support_request.pk},
    "help/manage/<str:kind>/new/": lambda w: {"kind": "faq"},
    "help/manage/<str:kind>/<int:pk>/": lambda w: {"kind": "manual", "pk": w.manual.pk},
    "help/manage/<str:kind>/<int:pk>/preview/": lambda w: {"kind": "faq", "pk": w.faq.pk},
    "help/manage/<str:kind>/<int:pk>/status/": lambda w: {"kind": "faq", "pk": w.faq.pk},
    **{
        f"support/users/<int:pk>/{action}": (lambda w: {"pk": w.users["manager"].pk})
        for action in ("", "unblock/", "invitation/", "phone/", "factors/", "sessions/",
                       "deactivate/")
    },
    "verzuim/medewerkers/<int:pk>/": lambda w: {"pk": w.world.employee.pk},
    "verzuim/medewerkers/<int:employee_pk>/ziekmelden/": lambda w: {
        "employee_pk": w.world.employee.pk
    },
    **{
        f"verzuim/ziekmeldingen/<int:pk>/{action}/": (lambda w: {"pk": w.world.report.pk})
        for action in ("herstel", "correctie", "intrekken")
    },
    **{
        f"verzuim/trajecten/<int:pk>/{action}": (lambda w: {"pk": w.world.case.pk})
        for action in ("", "documenten/nieuw/", "afspraken/nieuw/", "notities/nieuw/",
                       "advies/nieuw/", "medisch/")
    },
    "verzuim/trajecten/<int:pk>/documenten/<int:document_pk>/": lambda w: {
        "pk": w.world.case.pk, "document_pk": w.world.documents["employer"].pk
    },
    "verzuim/trajecten/<int:pk>/taken/<int:task_pk>/afgerond/": lambda w: {
        "pk": w.world.case.pk, "task_pk": w.task.pk
    },
}

#: Patterns the walk does not request, each with the reason. Empty today: every pattern is
#: requested. An entry here must say why its responses need no check.
EXCLUDED: dict[str, str] = {}

ADMIN_PREFIX = "beheer/"
_ADMIN_MODEL = re.compile(r"^beheer/(\w+)/(\w+)/")


def _admin_object(route: Route) -> Any:
    match = _ADMIN_MODEL.match(route.route)
    if not match:
        return None
    model = apps.get_model(match.group(1), match.group(2))
    assert model in admin.site._registry, route.route
    return model


def _admin_kwargs(route: Route, w: WalkWorld) -> dict[str, Any] | None:
    """Admin patterns, from the admin site's registry: an object of the pattern's model."""
    params = set(route.params)
    if not params:
        return {}
    if params == {"app_label"}:
        return {"app_label": "absence"}
    if params == {"url"}:
        return {"url": "no-such-admin-page/"}
    if params == {"content_type_id", "object_id"}:
        from django.contrib.contenttypes.models import ContentType

        employer = w.world.employee.employer
        return {"content_type_id": ContentType.objects.get_for_model(employer).pk,
                "object_id": employer.pk}
    model = _admin_object(route)
    if model is None or params != {"object_id"}:
        return None
    tenant = w.users["hr"].tenant
    candidates = model._default_manager.order_by("pk")
    if any(f.name == "tenant" for f in model._meta.fields):
        candidates = candidates.filter(tenant=tenant)
    obj = candidates.first()
    if obj is None:  # no row of this model in the world: a number that names none
        return {"object_id": 999_999}
    return {"object_id": obj.pk}


def kwargs_for(route: Route, w: WalkWorld) -> dict[str, Any] | None:
    """The path parameters of ``route`` in the walk world; None when nobody planned them."""
    if route.route.startswith(ADMIN_PREFIX):
        return _admin_kwargs(route, w)
    if not route.params:
        return {}
    fill = ARGS.get(route.route)
    return fill(w) if fill else None


def unplanned(w: WalkWorld) -> list[str]:
    """Patterns that have neither a plan nor a reasoned exclusion (the guard's list)."""
    return [r.route for r in routes() if r.route not in EXCLUDED and kwargs_for(r, w) is None]


def stale_entries() -> list[str]:
    """Entries of ARGS and EXCLUDED that name no pattern any more."""
    known = {r.route for r in routes()}
    return sorted((set(ARGS) | set(EXCLUDED)) - known)


def path_for(route: Route, w: WalkWorld) -> str:
    kwargs = kwargs_for(route, w)
    assert kwargs is not None, route.route
    path = route.route
    for name, value in kwargs.items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)", str(value), path)
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
    path = path.replace("^", "").replace("$", "")
    assert "<" not in path and "(?P" not in path, path
    return "/" + path


# --- plausible bodies -----------------------------------------------------------------------

#: A plausible form body per pattern for POST (what its form would send). Patterns without an
#: entry get an empty body: the checks here do not depend on the view accepting it.
BODIES: dict[str, dict[str, Any]] = {
    "accounts/login/": {"username": "hanna.hr", "password": PASSWORD},
    "accounts/verify/sms/": {"code": "123456"},
    "accounts/verify/backup-code/": {"code": "abcd-efgh"},
    "accounts/verify/app/": {"code": "123456"},
    "accounts/verify/again/": {"action": "sms-send"},
    "accounts/verify/app/add/": {"code": "123456", "name": "Phone"},
    "accounts/verify/key/add/": {"name": "Key"},
    "activate/password/": {"new_password1": "A-long-new-pass-2026",
                           "new_password2": "A-long-new-pass-2026"},
    "activate/phone/": {"phone": "06 12345678"},
    "settings/security/password/": {"current_password": PASSWORD,
                                    "new_password1": "A-long-new-pass-2026",
                                    "new_password2": "A-long-new-pass-2026"},
    "settings/security/phone/": {"phone": "06 87654321"},
    "settings/security/default-method/": {"method": "sms"},
    "help/search/": {"q": "ziek"},
    "help/contact/": {"subject": "Question", "message": "How do I report sick?"},
    "help/support-requests/<int:pk>/status/": {"status": "closed"},
    "help/manage/<str:kind>/new/": {"title": "New", "slug": "new", "body": "Text",
                                    "language": "en", "order": "1", "status": "draft"},
    "help/manage/<str:kind>/<int:pk>/status/": {"status": "draft"},
    "support/users/<int:pk>/phone/": {"phone": "06 11223344"},
    "verzuim/medewerkers/<int:employee_pk>/ziekmelden/": {"first_sick_day": "2026-05-30",
                                                          "percentage": "100"},
    "verzuim/ziekmeldingen/<int:pk>/herstel/": {"recovery_date": "2026-05-31"},
    "verzuim/ziekmeldingen/<int:pk>/intrekken/": {"reason": "Reported by mistake"},
    "verzuim/trajecten/<int:pk>/notities/nieuw/": {"text": "Called", "visibility": "employer"},
    "verzuim/trajecten/<int:pk>/afspraken/nieuw/": {"date": "2026-06-10", "kind": "consult"},
    "verzuim/trajecten/<int:pk>/advies/nieuw/": {"limitations": "Rest", "incapacity": "50"},
    "verzuim/trajecten/<int:pk>/medisch/": {"text": "Medical note"},
    "recover/login-name/": {"email": "hanna.hr@werkgever.example"},
    "recover/password/": {"username": "hanna.hr"},
    "i18n/setlang/": {"language": "en", "next": "/"},
}

#: Patterns whose POST carries JSON (the security-key ceremony).
JSON_ROUTES = {
    "accounts/verify/key/options/",
    "accounts/verify/key/verify/",
    "accounts/verify/key/add/options/",
    "accounts/verify/key/add/verify/",
}

JSON_BODIES = {
    "accounts/verify/key/options/": {"purpose": "login"},
    "accounts/verify/key/verify/": {"purpose": "login", "credential": {"id": "x"}},
    "accounts/verify/key/add/options/": {},
    "accounts/verify/key/add/verify/": {"credential": {"id": "x"}, "name": "Key"},
}


def post(client: Client, route: Route, path: str, **extra: Any) -> Any:
    """POST the plausible body of ``route`` to ``path``."""
    if route.route in JSON_ROUTES:
        return client.post(path, JSON_BODIES.get(route.route, {}),
                           content_type="application/json", **extra)
    body = dict(BODIES.get(route.route, {}))
    if route.route.startswith(ADMIN_PREFIX):
        body.setdefault("post", "yes")  # the delete confirmation
    return client.post(path, body, **extra)


# --- clients ----------------------------------------------------------------------------------


def fresh(client: Client) -> Client:
    """Mark the second factor as just checked (the re-authentication guard lets it pass)."""
    session = client.session
    session["mfa_at"] = time.time()
    session["mfa_method"] = "sms"
    session.save()
    return client


def client_for(role: str, w: WalkWorld, **client_kwargs: Any) -> Client:
    """A new browser in the state ``role`` needs; ``client_kwargs`` go to ``Client``."""
    client = Client(**client_kwargs)
    client.raise_request_exception = False
    secure = bool(client_kwargs.get("secure"))
    if role == "anonymous":
        return client
    if role == "pending":
        user = w.users["hr"]
        token = _token(client, "/accounts/login/") if client_kwargs.get(
            "enforce_csrf_checks") else ""
        response = client.post("/accounts/login/", {
            "username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token,
        })
        assert response.status_code == 302, (response.status_code, secure)
        return client
    user = w.users[role]
    # From the database: an earlier request of the walk may have changed the password, and a
    # session made with the old hash would be ended on its first request.
    login(client, type(user)._default_manager.get(pk=user.pk))
    return fresh(client)


def full_login(client: Client, user: Any, *, trust: bool = False) -> list[Any]:
    """The real two-step login (password, then the SMS code); returns both responses."""
    first = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert first.status_code == 302, first.content[:300]
    body = {"code": last_sms_code(user.phone)}
    if trust:
        body["trust_device"] = "1"
    second = client.post("/accounts/verify/sms/", body)
    assert second.status_code == 302, second.content[:300]
    return [first, second]


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _token(client: Client, path: str) -> str:
    """The CSRF token a page of this browser carries (from its form)."""
    match = _CSRF_INPUT.search(client.get(path).content.decode())
    assert match, path
    return match.group(1)


def csrf_token_of(client: Client) -> str:
    """A valid CSRF form token for ``client``'s own cookie (from a page with a form)."""
    for path in ("/settings/security/", "/accounts/login/", "/help/contact/"):
        match = _CSRF_INPUT.search(client.get(path).content.decode())
        if match:
            return match.group(1)
    raise AssertionError("no page with a form")


# --- the database as numbers --------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """Rows per model of the portal (every concrete, managed model), in one query."""
    from django.db import connection

    models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {i}, COUNT(*) FROM {quote(m._meta.db_table)}" for i, m in enumerate(models)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = dict(cursor.fetchall())
    return {m._meta.label: rows[i] for i, m in enumerate(models)}


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}
