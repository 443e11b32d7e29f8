"""Tenant isolation and IDOR, generated over every URL pattern of the project.

The matrix (``tests/security/access_world.py``: ``OBJECT_SPECS``, ``PAGE_SPECS`` and the
admin prefix) classifies each URL pattern: which roles may use it and how its keyword
arguments are filled. A URL pattern the matrix does not know fails
``test_every_url_pattern_is_classified``, so no new view slips in unreviewed.

Object URLs are asked per role for the role's OWN object (the answer the matrix expects) and
for the same kind of object of another employer of the same tenant, of the other tenant (at
our portal and at theirs), a nested id from elsewhere ("mixed") and a non-existent id: those
answer like the non-existent id (404, or the view's deliberate 403/405/410), change nothing
in the database and write no audit row about the refused object.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.security.access_world import (
    LOGIN,
    OBJECT_SPECS,
    PAGE_SPECS,
    REFUSALS,
    ROLES,
    SPECS,
    Snapshot,
    World,
    body,
    classify,
    client_for,
    is_login_redirect,
    module_world,
    resolve_model,
    walk_urls,
)
from verzuim.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from module_world(django_db_blocker, tmp_path_factory.mktemp("media"))


def check(response: Any, expected: Any, what: str) -> None:
    if expected == LOGIN:
        assert is_login_redirect(response), (
            f"{what}: expected the login page, got {response.status_code} "
            f"{response.get('Location', '')}"
        )
    else:
        assert response.status_code == expected, (
            f"{what}: expected {expected}, got {response.status_code} "
            f"{response.get('Location', '')}"
        )


# --- every pattern is classified -----------------------------------------------------------


def test_every_url_pattern_is_classified():
    routes = walk_urls()
    unknown = sorted(
        f"{r.route} ({r.key})" for r in routes if classify(r) != "admin" and r.key not in SPECS
    )
    assert not unknown, f"URL patterns the access matrix does not classify: {unknown}"
    known = {r.key for r in routes}
    stale = sorted(set(SPECS) - known)
    assert not stale, f"matrix entries without a URL pattern: {stale}"
    # Every keyword argument of an object URL is filled by the matrix.
    for route in routes:
        if classify(route) == "admin":
            continue
        spec = SPECS.get(route.key)
        if route.kwargs:
            assert spec is not None and spec.kind == "object", route
        elif spec is not None:
            assert spec.kind == "page", route


# --- pages without an object ---------------------------------------------------------------

PAGE_CASES = [
    pytest.param(spec, role, id=f"{spec.key}-GET-{role}")
    for spec in PAGE_SPECS
    for role in spec.get
]


@pytest.mark.parametrize(("spec", "role"), PAGE_CASES)
def test_page_answers_each_role_as_classified(world, spec, role):
    host = world.host("T")  # the foreign user asks at our portal
    client = client_for(world, role, host)
    response = client.get(reverse(spec.key), spec.query)
    check(response, spec.get[role], f"{spec.key} as {role}")


# --- object URLs ---------------------------------------------------------------------------


def _url(world: World, spec: Any, role: str, variant: str) -> str | None:
    kwargs = spec.kwargs(world, role, variant)
    return None if kwargs is None else reverse(spec.key, kwargs=kwargs)


def _host(world: World, role: str, variant: str) -> str:
    home = world.home(role)
    if variant == "other_tenant_host":
        return world.host("T" if home == "U" else "U")
    return world.host(home)


def _ask(world: World, spec: Any, role: str, variant: str, method: str) -> tuple[Any, Any]:
    url = _url(world, spec, role, variant)
    client = client_for(world, role, _host(world, role, variant))
    if method == "GET":
        return client, client.get(url)
    return client, client.post(url, spec.payload(world, role, variant))


def _methods(spec: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(m, t) for m, t in (("GET", spec.get), ("POST", spec.post)) if t is not None]


OWN_CASES = [
    pytest.param(spec, method, role, id=f"{spec.key}-{method}-{role}")
    for spec in OBJECT_SPECS
    for method, table in _methods(spec)
    for role in ROLES
]


@pytest.mark.parametrize(("spec", "method", "role"), OWN_CASES)
def test_object_url_serves_its_own_scope(world, spec, method, role):
    """The role's own object: the answer the matrix gives the role (the positive control for
    the refusals below: these objects exist and work for the right user)."""
    models = tuple(resolve_model(m) for m in spec.models)
    client = client_for(world, role, _host(world, role, "own"))
    mine = client.session.session_key if role != "anonymous" else None
    before = Snapshot.of(models, mine)
    url = _url(world, spec, role, "own")
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, spec.payload(world, role, "own"))
    expected = spec.get[role] if method == "GET" else spec.post[role]
    check(response, expected, f"{method} {url} as {role}")
    if method == "POST" and models:
        after = Snapshot.of(models, mine)
        if expected == 302 and spec.post[role] == 302:
            # The payload is valid: the change really happens for an allowed role.
            assert before.changed(after), f"POST {url} as {role} changed nothing"
        elif expected != 302:
            assert not before.changed(after), f"refused POST {url} as {role} changed data"


def _refusal(spec: Any, role: str, method: str, variant: str) -> set[Any]:
    """What a refused variant may answer."""
    if variant in spec.variant_expect:
        return {spec.variant_expect[variant]}
    table = spec.get if method == "GET" else spec.post
    if role == "anonymous" or variant == "other_tenant_host":
        # Not logged in (a session of one portal is no session at the other).
        return {table["anonymous"]}
    own = table[role]
    if own == 403:  # the role check may come before or after the (scoped) fetch
        return {403, 404}
    if own in (404, 405):
        return {own}
    return {spec.refusal}


def _refusal_roles(spec: Any, table: dict[str, Any], variant: str) -> list[str]:
    """Every role allowed its own object asks for another employer's and the other tenant's
    (a role refused its own object is refused everything: the own-scope test shows that).
    A session at the other portal, a missing id and a borrowed nested id are asked by one of
    our users and by theirs."""
    allowed = [r for r in ROLES if r != "anonymous" and table[r] not in (LOGIN, 403, 404, 405, 410)]
    if variant == "other_employer" and spec.key.startswith("absence:"):
        return [r for r in allowed if r != "foreign"]  # their tenant has one employer here
    if variant in ("other_tenant_host", "missing", "mixed"):
        ours = [r for r in allowed if r != "foreign"][:1]
        return [*ours, *(["foreign"] if "foreign" in allowed else [])]
    return allowed


REFUSAL_CASES = [
    pytest.param(spec, method, role, variant, id=f"{spec.key}-{method}-{role}-{variant}")
    for spec in OBJECT_SPECS
    for method, table in _methods(spec)
    for variant in REFUSALS
    if variant in spec.variants
    for role in _refusal_roles(spec, table, variant)
]


def _audit_about(since: int, kwargs: dict[str, Any]) -> list[Any]:
    ids = {v for k, v in kwargs.items() if k in ("pk", "employee_pk", "document_pk", "task_pk")}
    rows = AuditEvent.objects.filter(pk__gt=since)
    return [
        row
        for row in rows
        if isinstance(row.data, dict)
        and any(row.data.get(k) in ids for k in ("case", "employee", "document", "task", "report"))
    ]


@pytest.mark.parametrize(("spec", "method", "role", "variant"), REFUSAL_CASES)
def test_object_url_refuses_foreign_objects(world, spec, method, role, variant):
    kwargs = spec.kwargs(world, role, variant)
    if kwargs is None:
        pytest.skip("no such object for this role")  # pragma: no cover - filtered above
    models = tuple(resolve_model(m) for m in spec.models)
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client = client_for(world, role, _host(world, role, variant))
    mine = client.session.session_key if role != "anonymous" else None
    before = Snapshot.of(models, mine)
    url = reverse(spec.key, kwargs=kwargs)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, spec.payload(world, role, variant))
    allowed = _refusal(spec, role, method, variant)
    what = f"{method} {url} as {role} ({variant}) at {client.defaults['HTTP_HOST']}"
    if LOGIN in allowed:
        check(response, LOGIN, what)
    else:
        assert response.status_code in allowed, (
            f"{what}: expected {sorted(map(str, allowed))}, got {response.status_code} "
            f"{response.get('Location', '')}"
        )
    changed = before.changed(Snapshot.of(models, mine))
    if variant not in spec.variant_expect or spec.variant_expect[variant] >= 400:
        assert not changed, f"{what} changed {changed}"
        if spec.key.startswith("absence:"):
            assert not _audit_about(last_audit, kwargs), f"{what} was recorded as an access"
            assert "Diagnosis" not in body(response)


# --- the technical admin (/beheer/), classified as a group by its prefix --------------------


def _admin_urls(world: World) -> dict[str, str]:
    """A sample of the admin: the index, lists and change pages of OUR objects."""
    a = world.sides["A"]
    ours = world.tenants["T"]
    event = AuditEvent.objects.filter(tenant=ours).order_by("pk").first()
    return {
        "index": "/beheer/",
        "users": "/beheer/accounts/user/",
        "user": f"/beheer/accounts/user/{world.target['T'].pk}/change/",
        "employer": f"/beheer/absence/employer/{a.employer.pk}/change/",
        "scopes": "/beheer/absence/userscope/",
        "audit-event": f"/beheer/audit/auditevent/{event.pk}/change/",
        "tenant": f"/beheer/tenants/tenant/{ours.pk}/change/",
        "unknown": "/beheer/no/such/page/",
    }


ADMIN_SAMPLE = ("index", "users", "user", "employer", "scopes", "audit-event", "tenant", "unknown")
NOT_STAFF = ("anonymous", "hr", "manager", "case_manager", "physician", "broker", "help_editor",
             "noscope", "foreign")


def _is_admin_login(response: Any) -> bool:
    from urllib.parse import parse_qs, urlsplit

    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    nxt = parse_qs(location.query).get("next", ["/"])[0]
    return (
        not location.netloc
        and location.path in ("/beheer/login/", "/accounts/login/")
        and nxt.startswith("/")
        and not nxt.startswith("//")
    )


@pytest.mark.parametrize("page", ADMIN_SAMPLE)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_admin_sends_everyone_but_the_portals_staff_to_the_login(world, role, page):
    """Not staff, or staff of the other portal (whose session is none here): the login."""
    client = client_for(world, role, world.host("T"))
    response = client.get(_admin_urls(world)[page])
    assert _is_admin_login(response), (response.status_code, response.get("Location"))
    assert world.target["T"].username not in body(response)


def test_admin_opens_for_our_staff(world):
    client = client_for(world, "staff")
    for page in ("index", "users", "user", "employer", "scopes", "audit-event", "tenant"):
        assert client.get(_admin_urls(world)[page]).status_code == 200, page
    support = client_for(world, "support")  # staff with the support role: users, organisation
    assert support.get(_admin_urls(world)["users"]).status_code == 200
    assert support.get(_admin_urls(world)["employer"]).status_code == 200


def _their_admin_objects(world: World) -> dict[str, str]:
    theirs = world.tenants["U"]
    f = world.sides["F"]
    event = AuditEvent.objects.filter(tenant=theirs).order_by("pk").first()
    return {
        "user": f"/beheer/accounts/user/{world.target['U'].pk}/change/",
        "employer": f"/beheer/absence/employer/{f.employer.pk}/change/",
        "department": f"/beheer/absence/department/{f.employee.department_id}/change/",
        "audit-event": f"/beheer/audit/auditevent/{event.pk}/change/",
    }


@pytest.mark.parametrize("page", ["user", "employer", "department", "audit-event"])
@pytest.mark.parametrize("role", ["staff", "support"])
def test_admin_does_not_show_the_other_portals_rows(world, role, page):
    """Our staff (even a superuser) asking the admin for a row of the other tenant gets the
    admin's "does not exist" answer (a redirect to the index), never the row."""
    client = client_for(world, role)
    url = _their_admin_objects(world)[page]
    response = client.get(url)
    assert response.status_code in (302, 403, 404), (url, response.status_code)
    if response.status_code == 302:
        assert response["Location"] == "/beheer/", response["Location"]
    assert world.target["U"].username not in body(response)


def test_admin_lists_only_our_audit_events(world):
    client = client_for(world, "staff")
    listed = client.get("/beheer/audit/auditevent/").context["cl"].result_list
    assert listed and {event.tenant_id for event in listed} <= {world.tenants["T"].pk, None}
