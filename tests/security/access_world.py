"""The attacker's world for the access matrix and the medical-exposure sweep.

Two tenants; in ours two employers: ``A`` (the roles' own scope) and ``B`` (same tenant, no
role here may see it); in the other tenant employer ``F``. Each employer has the same kind
of objects (a healthy employee, a sick employee with a case, documents of every
confidentiality, notes, advice, a medical note, tasks), so every object URL can be asked
for "mine", "my colleague employer's" and "the other tenant's" object of the same kind.

``MEDICAL_MARKER`` is planted in every field classified medical: the medical notes, the
medical documents' names and their file content. The world is built once per test module
(:func:`module_world`) inside a transaction that is rolled back at the end; each test runs
in a savepoint of it (pytest-django's ``db``), so what a test changes is undone.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Model
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.absence.case_world import CASE_TEAM_MARKER, MEDICAL_MARKER, NOW
from tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    EmployerFactory,
    TenantFactory,
    UserFactory,
    grant_scope,
)
from verzuim.absence.actions import report_sick
from verzuim.absence.actions.dossier import add_advice, add_document, add_medical_note, add_note
from verzuim.accounts.activation.tokens import activation_token, encode_uid
from verzuim.accounts.models import Role
from verzuim.accounts.phone_recovery import SALT as PHONE_SALT
from verzuim.accounts.recovery.tokens import reset_token
from verzuim.accounts.sessions import SessionStore
from verzuim.help.models import FaqItem, Manual, SupportRequest
from verzuim.mfa.totp.models import TotpDevice
from verzuim.mfa.webauthn.models import WebAuthnCredential

OUR_HOST = "testserver"
THEIR_HOST = "andere.verzuim.test"
#: A PDF whose content carries the medical marker (a leak of the file's bytes shows it too).
MEDICAL_PDF = (
    b"%PDF-1.7\n1 0 obj << >> endobj\n% " + MEDICAL_MARKER.encode() + b"\ntrailer << >>\n%%EOF\n"
)
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5e1bb3f0000000049454e44ae426082"
)

#: The roles the matrix asks as; ``foreign`` is a user of the other tenant with every role.
ROLES = (
    "anonymous",
    "hr",
    "manager",
    "case_manager",
    "physician",
    "broker",
    "support",
    "help_editor",
    "noscope",
    "staff",
    "foreign",
)
#: Employer-side roles (SPEC 9: never medical data) and the support desk.
EMPLOYER_SIDE = ("hr", "manager", "case_manager", "broker", "support")


def pdf(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class Side:
    """The sick-leave objects of one employer."""

    employer: Any
    healthy: Any
    employee: Any
    report: Any
    case: Any
    documents: dict[str, Any]
    mutation: Any
    task: Any


@dataclass
class World:
    sides: dict[str, Side]
    users: dict[str, Any]
    tenants: dict[str, Any]
    #: Per tenant ("T" ours, "U" theirs): a colleague without roles of interest, the user the
    #: support desk looks up, a not yet activated user, help content and a support request.
    colleague: dict[str, Any] = field(default_factory=dict)
    target: dict[str, Any] = field(default_factory=dict)
    newcomer: dict[str, Any] = field(default_factory=dict)
    manual: dict[str, Any] = field(default_factory=dict)
    faq: dict[str, Any] = field(default_factory=dict)
    support_request: dict[str, Any] = field(default_factory=dict)
    totp: dict[int, Any] = field(default_factory=dict)
    key: dict[int, Any] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)

    # --- who is who --------------------------------------------------------------------

    def home(self, role: str) -> str:
        """The tenant ("T" or "U") a role's user belongs to."""
        return "U" if role == "foreign" else "T"

    def host(self, tenant: str) -> str:
        return THEIR_HOST if tenant == "U" else OUR_HOST

    def user(self, role: str) -> Any:
        return self.users.get(role)

    def tenant_of(self, role: str, variant: str) -> str:
        """The tenant whose object a variant names, seen from ``role``."""
        home = self.home(role)
        if variant in ("other_tenant", "other_tenant_host"):
            return "T" if home == "U" else "U"
        return home

    def side(self, role: str, variant: str) -> Side | None:
        """The employer whose objects ``variant`` names for ``role``."""
        if self.home(role) == "U":
            keys = {"own": "F", "other_tenant": "A", "other_tenant_host": "A"}
        else:
            keys = {
                "own": "A",
                "other_employer": "B",
                "other_tenant": "F",
                "other_tenant_host": "F",
            }
        name = keys.get(variant)
        return self.sides[name] if name else None

    def person(self, role: str, variant: str) -> Any:
        """A user whose personal objects (factors, phone links) ``variant`` names."""
        me = self.user(role) or self.users["hr"]
        if variant == "own":
            return me
        if variant == "other_employer":  # a colleague of the same tenant
            return self.colleague[self.home(role)]
        return self.colleague[self.tenant_of(role, variant)]


def _side(tenant: Any, employer: Any, actors: dict[str, Any], manager: Any, label: str) -> Side:
    """A healthy and a sick employee of ``employer`` with a full dossier."""
    department = DepartmentFactory(employer=employer, name=f"Afdeling {label}")
    healthy = EmployeeFactory(
        employer=employer, department=department, manager=manager, last_name=f"Gezond{label}"
    )
    employee = EmployeeFactory(
        employer=employer, department=department, manager=manager, last_name=f"Ziek{label}"
    )
    report = report_sick(employee=employee, actor=actors["hr"], first_sick_day=date(2026, 5, 4))
    case = report.case
    documents = {
        "employer": add_document(
            case=case,
            actor=actors["hr"],
            upload=pdf(f"plan-{label}.pdf"),
            kind="action_plan",
            confidentiality="employer",
        ),
        "case_team": add_document(
            case=case,
            actor=actors["case_manager"],
            upload=pdf(f"{CASE_TEAM_MARKER}-{label}.pdf"),
            kind="correspondence",
            confidentiality="case_team",
        ),
        "medical": add_document(
            case=case,
            actor=actors["physician"],
            upload=pdf(f"{MEDICAL_MARKER}-{label}.pdf", MEDICAL_PDF),
            kind="other",
            confidentiality="medical",
        ),
    }
    add_note(case=case, actor=actors["hr"], text=f"Call on Monday {label}", visibility="employer")
    add_note(
        case=case,
        actor=actors["case_manager"],
        text=f"Team only {CASE_TEAM_MARKER}",
        visibility="case_team",
    )
    add_advice(
        case=case,
        actor=actors["physician"],
        limitations="No lifting over 10 kg; 4 hours a day",
        expected_duration="6 weeks",
        incapacity=50,
    )
    add_medical_note(case=case, actor=actors["physician"], text=f"Diagnosis {MEDICAL_MARKER}")
    return Side(
        employer=employer,
        healthy=healthy,
        employee=employee,
        report=report,
        case=case,
        documents=documents,
        mutation=report.mutations.get(),
        task=case.tasks.get(key="problem_analysis"),
    )


def _help(tenant: Any, label: str, author: Any) -> tuple[Any, Any]:
    manual = Manual.objects.create(
        tenant=tenant,
        title=f"Matrix manual {label}",
        slug=f"matrix-{label.lower()}",
        body="How to use the portal.",
        language="en",
        status="published",
        updated_by=author,
    )
    faq = FaqItem.objects.create(
        tenant=tenant,
        title=f"Matrix question {label}",
        slug=f"matrix-vraag-{label.lower()}",
        body="An answer.",
        language="en",
        status="published",
        updated_by=author,
    )
    return manual, faq


def _support_request(tenant: Any, user: Any, label: str) -> Any:
    request = SupportRequest.objects.create(
        tenant=tenant,
        user=user,
        login_name=user.username,
        subject=f"Matrix request {label}",
        message="It does not work.",
        screenshot_type="image/png",
    )
    request.screenshot.save(f"matrix-{label}.png", SimpleUploadedFile("s.png", PNG), save=True)
    return request


def _factors(world: World, user: Any) -> None:
    world.totp[user.pk] = TotpDevice.objects.create(
        user=user, name="Phone app", secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now()
    )
    world.key[user.pk] = WebAuthnCredential.objects.create(
        user=user,
        name="YubiKey",
        # base64url, as registration stores it (the options list the user's keys)
        credential_id=base64.urlsafe_b64encode(f"matrix-{user.pk}".encode()).decode().rstrip("="),
        public_key=b"\x01\x02",
    )


def build() -> World:
    ours = TenantFactory(
        slug="demo", host=OUR_HOST, name="Arbodienst Demo", support_email="support@demo.example"
    )
    theirs = TenantFactory(slug="andere", host=THEIR_HOST, name="Andere Arbodienst")
    hr = UserFactory(tenant=ours, username="hanna.hr")
    users = {
        "hr": hr,
        "manager": UserFactory(tenant=ours, username="mark.manager", roles=["manager"]),
        "case_manager": UserFactory(tenant=ours, username="cas.cm", roles=["case_manager"]),
        "physician": UserFactory(tenant=ours, username="bea.arts", roles=["physician"]),
        "broker": UserFactory(tenant=ours, username="bram.broker", roles=["broker"]),
        "support": UserFactory(tenant=ours, username="sanne.support", support=True),
        "help_editor": UserFactory(tenant=ours, username="tara.admin", roles=["tenant_admin"]),
        "noscope": UserFactory(tenant=ours, username="nina.noscope"),
        "staff": UserFactory(
            tenant=ours, username="stef.staff", roles=[], is_staff=True, is_superuser=True
        ),
        # Theirs, with every role (and scope on their employer): whatever we may do, they may
        # do at their portal; so their objects work for them (the positive control).
        "foreign": UserFactory(
            tenant=theirs,
            username="hanna.hr",
            roles=[r.value for r in Role],
            is_staff=True,
        ),
    }
    employer_a = EmployerFactory(tenant=ours, name="Bakkerij De Korenschoof B.V.")
    employer_b = EmployerFactory(tenant=ours, name="Andere Werkgever B.V.")
    employer_f = EmployerFactory(tenant=theirs, name="Vreemde Werkgever B.V.")
    for role in ("hr", "case_manager", "physician", "broker"):
        grant_scope(users[role], employer_a)
    grant_scope(users["foreign"], employer_f)
    hr_b = UserFactory(tenant=ours, username="henk.hr")
    grant_scope(hr_b, employer_b)
    manager_b = UserFactory(tenant=ours, username="olga.manager", roles=["manager"])
    ours_actors = {"hr": hr, "case_manager": users["case_manager"], "physician": users["physician"]}
    foreign = users["foreign"]
    sides = {
        "A": _side(ours, employer_a, ours_actors, users["manager"], "A"),
        "B": _side(ours, employer_b, ours_actors, manager_b, "B"),
        "F": _side(
            theirs,
            employer_f,
            {"hr": foreign, "case_manager": foreign, "physician": foreign},
            foreign,
            "F",
        ),
    }
    world = World(sides=sides, users=users, tenants={"T": ours, "U": theirs})
    world.users["hr_b"] = hr_b
    for key, tenant in (("T", ours), ("U", theirs)):
        world.colleague[key] = UserFactory(tenant=tenant, username=f"carl.colleague{key}")
        # Blocked and never activated, with a session: every support action changes them.
        target = UserFactory(
            tenant=tenant,
            username=f"tom.target{key}",
            first_name="Tom",
            last_name=f"Doel{key}",
            blocked=True,
            activated_at=None,
            invitation_sent_at=timezone.now(),
        )
        world.target[key] = target
        store = SessionStore()
        store[SESSION_KEY] = str(target.pk)
        store.create()
        newcomer = UserFactory(
            tenant=tenant, username=f"nick.new{key}", activated_at=None, phone_verified_at=None
        )
        newcomer.set_unusable_password()
        newcomer.invitation_sent_at = timezone.now()
        newcomer.save()
        world.newcomer[key] = newcomer
        author = hr if key == "T" else foreign
        world.manual[key], world.faq[key] = _help(tenant, key, author)
        world.support_request[key] = _support_request(tenant, author, key)
    for user in [*users.values(), *world.colleague.values(), *world.target.values()]:
        _factors(world, user)
    for role, user in users.items():
        world.sessions[role] = _session(user, world.host(world.home(role)))
    return world


def _session(user: Any, host: str) -> str:
    """A session as after the full login (password and second factor just now, so also
    "fresh" for the re-authentication check): the login itself is tested in accounts and
    mfa. Built once; what a test does to it is rolled back with the test."""
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    session = client.session
    session["auth_at"] = session["seen_at"] = session["mfa_at"] = time.time()
    session.save()
    return session.session_key


@dataclass
class Snapshot:
    """Checksums of the rows of some models (a request that changed nothing leaves them)."""

    sums: dict[str, str]

    @classmethod
    def of(cls, models: tuple[type[Model], ...], exclude_session: str | None = None) -> Snapshot:
        sums = {}
        for model in models:
            rows = model.objects.order_by("pk")
            if exclude_session and model._meta.model_name == "usersession":
                rows = rows.exclude(session_key=exclude_session)
            values = list(rows.values_list())
            sums[model._meta.label] = hashlib.sha256(repr(values).encode()).hexdigest()[:16]
        return cls(sums)

    def changed(self, other: Snapshot) -> list[str]:
        return [label for label, value in self.sums.items() if other.sums.get(label) != value]


def client_for(world: World, role: str, host: str | None = None) -> Client:
    """A client as ``role`` (anonymous: not logged in) asking at ``host`` (default: home)."""
    client = Client(HTTP_HOST=host or world.host(world.home(role)))
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def body(response: Any) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", "replace")


def is_login_redirect(response: Any) -> bool:
    """302 to the login page with a local ``next`` (or none)."""
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    if location.netloc or not location.path.startswith("/accounts/login/"):
        return False
    from urllib.parse import parse_qs

    nxt = parse_qs(location.query).get("next", ["/"])[0]
    return nxt.startswith("/") and not nxt.startswith("//")


def phone_token(user: Any) -> str:
    return signing.dumps({"u": user.pk, "old": user.phone, "new": "+31687654321"}, salt=PHONE_SALT)


def activation_kwargs(user: Any) -> dict[str, str]:
    return {"uidb64": encode_uid(user.pk), "token": activation_token.make_token(user)}


def reset_kwargs(user: Any) -> dict[str, str]:
    return {"uidb64": encode_uid(user.pk), "token": reset_token.make_token(user)}


# --- walking the URL configuration -------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route, its namespaced name and its URL keyword names."""

    route: str
    name: str | None
    kwargs: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.name or self.route


def walk_urls() -> list[Route]:
    """Every URL pattern of the project, with namespaces, recursively."""
    found: list[Route] = []

    def visit(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                visit(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                name = entry.name
                if name and namespace:
                    name = f"{namespace}:{name}"
                converters = getattr(entry.pattern, "converters", {}) or {}
                regex_groups = tuple(entry.pattern.regex.groupindex)
                kwargs = tuple(converters) or regex_groups
                found.append(Route(prefix + str(entry.pattern), name, kwargs))

    visit(get_resolver(), "", None)
    return found


def module_world(django_db_blocker: Any, media_root: Any) -> Iterator[World]:
    """Build the world once, keep it for a module's tests, roll it back at the end.

    The clock stands still at ``NOW`` (so sessions never time out and tasks stay as built),
    uploads go to ``media_root`` and hashing is cheap (the login is tested elsewhere)."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(media_root),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        time_machine.travel(NOW, tick=False),
        transaction.atomic(),
    ):
        world = build()
        yield world
        transaction.set_rollback(True)


# --- the matrix ----------------------------------------------------------------------------

LOGIN = "login"  # expected answer: 302 to the login page with a local next
#: Variants of an object URL's keyword arguments, seen from the requesting role.
VARIANTS = ("own", "other_employer", "other_tenant", "other_tenant_host", "missing", "mixed")
REFUSALS = ("other_employer", "other_tenant", "other_tenant_host", "missing", "mixed")
MISSING = 999999

Expect = dict[str, Any]
Kwargs = Any  # Callable[[World, str, str], dict | None]


def expect(default: Any = 403, anonymous: Any = LOGIN, **roles: Any) -> Expect:
    """The answer per role; ``None`` marks a role the matrix does not ask."""
    table = {role: default for role in ROLES}
    table["anonymous"] = anonymous
    table.update(roles)
    return table


def allow(roles: tuple[str, ...], status: Any = 200, **kw: Any) -> Expect:
    return expect(**{**{r: status for r in roles}, **kw})


@dataclass(frozen=True)
class Spec:
    """How the matrix treats one URL pattern.

    ``kind``: ``page`` (no object in the URL; GET asked per role), ``object`` (keyword
    arguments name an object; asked per role and variant, GET and POST) or ``admin``.
    ``get``/``post``: the answer per role for the role's OWN object (None: not asked).
    ``refusal``: the answer an allowed role gets for an object outside its scope (a
    role refused its own object may get that refusal or 404). ``models``: what a POST (or
    GET) must not change for a refused object. ``variant_expect``: fixed answers per variant.
    """

    key: str
    kind: str
    get: Expect | None = None
    post: Expect | None = None
    kwargs: Kwargs = None
    payload: Any = None
    models: tuple[str, ...] = ()
    variants: tuple[str, ...] = ("own", "other_tenant", "other_tenant_host", "missing")
    refusal: int = 404
    variant_expect: dict[str, Any] = field(default_factory=dict)
    medical: bool = True  # part of the medical-exposure sweep (GET)
    query: dict[str, str] = field(default_factory=dict)


def _other_side(world: World, role: str) -> Side:
    """The employer a "mixed" URL borrows a nested object from."""
    return world.sides["A" if world.home(role) == "U" else "B"]


def absence_kwargs(fn: Any) -> Kwargs:
    """Keyword arguments from an employer's objects; "missing" replaces the last id,
    "mixed" takes the last id from another employer (nested ids must belong together)."""

    def build(world: World, role: str, variant: str) -> dict[str, Any] | None:
        if variant == "missing":
            kwargs = fn(world.side(role, "own"))
            last = list(kwargs)[-1]
            return {**kwargs, last: MISSING}
        if variant == "mixed":
            kwargs = fn(world.side(role, "own"))
            last = list(kwargs)[-1]
            return {**kwargs, last: fn(_other_side(world, role))[last]}
        side = world.side(role, variant)
        return fn(side) if side else None

    return build


def absence_payload(fn: Any) -> Any:
    """A valid form for the object the variant names (so only the access check refuses)."""

    def build(world: World, role: str, variant: str) -> dict[str, Any]:
        side = world.side(role, variant) or world.side(role, "own")
        return fn(side)

    return build


def tenant_kwargs(fn: Any, missing: dict[str, Any]) -> Kwargs:
    """Keyword arguments from per-tenant objects (help content, support requests, users)."""

    def build(world: World, role: str, variant: str) -> dict[str, Any] | None:
        if variant == "missing":
            return missing
        if variant == "other_employer":
            return None
        return fn(world, world.tenant_of(role, variant))

    return build


def person_kwargs(fn: Any, missing: dict[str, Any]) -> Kwargs:
    """Keyword arguments from a person's own objects (factors, e-mailed links)."""

    def build(world: World, role: str, variant: str) -> dict[str, Any] | None:
        if variant == "missing":
            return missing
        return fn(world, world.person(role, variant))

    return build


SCOPED = ("hr", "manager", "case_manager", "physician", "broker", "foreign")
REPORTERS = ("hr", "manager", "case_manager", "broker", "foreign")
WRITERS = ("hr", "manager", "case_manager", "physician", "foreign")
PLANNERS = ("hr", "case_manager", "physician", "foreign")
DOCTORS = ("physician", "foreign")
LOGGED_IN = tuple(r for r in ROLES if r != "anonymous")
SUPPORT = ("support", "foreign")
EDITORS = ("help_editor", "foreign")
ABSENCE_VARIANTS = ("own", "other_employer", "other_tenant", "other_tenant_host", "missing")
NESTED_VARIANTS = (*ABSENCE_VARIANTS, "mixed")
PERSON_VARIANTS = ABSENCE_VARIANTS
REPORT_MODELS = ("absence.SickReport", "absence.SickReportMutation", "absence.Case")
USER_MODELS = (
    "accounts.User",
    "accounts.UserSession",
    "mfa.TotpDevice",
    "mfa.WebAuthnCredential",
    "messaging.OutgoingMessage",
)


def absence_expect(allowed: tuple[str, ...], refused: tuple[str, ...], status: int) -> Expect:
    """Scoped roles: ``status`` or 403 (role); everyone else of ours: 404 (no scope)."""
    return expect(404, **{r: status for r in allowed}, **{r: 403 for r in refused})


def _upload() -> SimpleUploadedFile:
    return pdf("evaluatie.pdf")


def _absence(
    key: str,
    fn: Any,
    allowed: tuple[str, ...],
    *,
    post: Any = None,
    models: tuple[str, ...] = (),
    variants: tuple[str, ...] = ABSENCE_VARIANTS,
    get: bool = True,
) -> Spec:
    refused = tuple(r for r in SCOPED if r not in allowed)
    return Spec(
        key,
        "object",
        get=absence_expect(allowed, refused, 200) if get else expect(405),
        post=absence_expect(allowed, refused, 302) if post else None,
        kwargs=absence_kwargs(fn),
        payload=absence_payload(post) if post else None,
        models=models,
        variants=variants,
    )


def _case(side: Side) -> dict[str, Any]:
    return {"pk": side.case.pk}


def _report(side: Side) -> dict[str, Any]:
    return {"pk": side.report.pk}


SICK_FORM = {
    "first_sick_day": "2026-05-28",
    "classification": "sick",
    "expected_duration": "unknown",
    "incapacity": "100",
    "safety_net": "no",
    "third_party_liable": "no",
}

OBJECT_SPECS = [
    _absence("absence:employee", lambda s: {"pk": s.employee.pk}, SCOPED),
    _absence(
        "absence:report-sick",
        lambda s: {"employee_pk": s.healthy.pk},
        REPORTERS,
        post=lambda s: SICK_FORM,
        models=REPORT_MODELS,
    ),
    _absence(
        "absence:report-recovery",
        _report,
        REPORTERS,
        post=lambda s: {"kind": "partial", "on": "2026-05-18", "incapacity": "50"},
        models=REPORT_MODELS,
    ),
    _absence(
        "absence:report-correct",
        _report,
        REPORTERS,
        post=lambda s: {
            "entry": s.mutation.pk,
            "effective_date": "2026-05-03",
            "incapacity": "100",
            "reason": "late",
        },
        models=REPORT_MODELS,
    ),
    _absence(
        "absence:report-withdraw",
        _report,
        REPORTERS,
        post=lambda s: {"reason": "error"},
        models=REPORT_MODELS,
    ),
    _absence("absence:case", _case, SCOPED),
    _absence(
        "absence:case-document-add",
        _case,
        WRITERS,
        post=lambda s: {"kind": "evaluation", "confidentiality": "employer", "file": _upload()},
        models=("absence.CaseDocument",),
    ),
    _absence(
        "absence:case-document",
        lambda s: {"pk": s.case.pk, "document_pk": s.documents["employer"].pk},
        SCOPED,
        variants=NESTED_VARIANTS,
    ),
    _absence(
        "absence:case-appointment-add",
        _case,
        PLANNERS,
        post=lambda s: {
            "with_role": "case_manager",
            "starts_at": "2026-06-03T10:00",
            "location": "Office",
        },
        models=("absence.Appointment",),
    ),
    _absence(
        "absence:case-note-add",
        _case,
        WRITERS,
        post=lambda s: {"text": "Called", "visibility": "employer"},
        models=("absence.CaseNote",),
    ),
    _absence(
        "absence:case-advice-add",
        _case,
        DOCTORS,
        post=lambda s: {
            "limitations": "Light work only",
            "expected_duration": "2 weeks",
            "incapacity": "50",
        },
        models=("absence.WorkAbilityAdvice",),
    ),
    _absence(
        "absence:case-medical",
        _case,
        DOCTORS,
        post=lambda s: {"text": "A new finding"},
        models=("absence.MedicalNote",),
    ),
    _absence(
        "absence:case-task-done",
        lambda s: {"pk": s.case.pk, "task_pk": s.task.pk},
        WRITERS,
        post=lambda s: {},
        models=("absence.CaseTask",),
        variants=NESTED_VARIANTS,
        get=False,
    ),
    Spec(
        "mfa:totp-remove",
        "object",
        get=allow(LOGGED_IN),
        post=allow(LOGGED_IN, 302),
        kwargs=person_kwargs(lambda w, p: {"pk": w.totp[p.pk].pk}, {"pk": MISSING}),
        payload=lambda w, r, v: {},
        models=("mfa.TotpDevice",),
        variants=PERSON_VARIANTS,
    ),
    Spec(
        "mfa:webauthn-remove",
        "object",
        get=allow(LOGGED_IN),
        post=allow(LOGGED_IN, 302),
        kwargs=person_kwargs(lambda w, p: {"pk": w.key[p.pk].pk}, {"pk": MISSING}),
        payload=lambda w, r, v: {},
        models=("mfa.WebAuthnCredential",),
        variants=PERSON_VARIANTS,
    ),
    Spec(
        "settings:phone-recovery",
        "object",
        get=allow(LOGGED_IN),
        post=allow(LOGGED_IN, 302),
        kwargs=person_kwargs(lambda w, p: {"token": phone_token(p)}, {"token": "bogus:token"}),
        payload=lambda w, r, v: {},
        models=("accounts.User",),
        variants=PERSON_VARIANTS,
        refusal=410,
    ),
    Spec(
        "activation:link",
        "object",
        get=expect(302, anonymous=302),
        kwargs=tenant_kwargs(
            lambda w, t: activation_kwargs(w.newcomer[t]),
            {"uidb64": "OTk5OTk5", "token": "cz1kbi-0123456789abcdef"},
        ),
        models=("accounts.User",),
        refusal=410,
        # A link works at its own portal only, for whoever holds it (a bearer link).
        variant_expect={"other_tenant": 410, "missing": 410, "other_tenant_host": 302},
    ),
    Spec(
        "recovery:link",
        "object",
        get=expect(302, anonymous=302),
        kwargs=tenant_kwargs(
            lambda w, t: reset_kwargs(w.colleague[t]),
            {"uidb64": "OTk5OTk5", "token": "cz1kbi-0123456789abcdef"},
        ),
        models=("accounts.User",),
        refusal=410,
        variant_expect={"other_tenant": 410, "missing": 410, "other_tenant_host": 302},
    ),
    Spec(
        "help:manual",
        "object",
        get=allow(LOGGED_IN),
        kwargs=tenant_kwargs(lambda w, t: {"slug": w.manual[t].slug}, {"slug": "no-such-manual"}),
    ),
    Spec(
        "help:support-request",
        "object",
        get=allow(SUPPORT),
        kwargs=tenant_kwargs(lambda w, t: {"pk": w.support_request[t].pk}, {"pk": MISSING}),
    ),
    Spec(
        "help:support-request-status",
        "object",
        get=expect(405, anonymous=405),
        post=allow(SUPPORT, 302),
        kwargs=tenant_kwargs(lambda w, t: {"pk": w.support_request[t].pk}, {"pk": MISSING}),
        payload=lambda w, r, v: {"status": "resolved"},
        models=("help.SupportRequest", "messaging.OutgoingMessage"),
    ),
    Spec(
        "help:support-request-screenshot",
        "object",
        get=allow(SUPPORT),
        kwargs=tenant_kwargs(lambda w, t: {"pk": w.support_request[t].pk}, {"pk": MISSING}),
    ),
    Spec(
        "help:manage-new",
        "object",
        get=allow(EDITORS),
        post=allow(EDITORS, 302),
        kwargs=lambda w, r, v: {"kind": "faq"} if v == "own" else {"kind": "nope"},
        payload=lambda w, r, v: {
            "title": "A new question",
            "slug": "nieuwe-vraag",
            "language": "en",
            "order": "15",
            "status": "published",
            "body": "An answer.",
        },
        models=("help.FaqItem", "help.Manual"),
        variants=("own", "missing"),
    ),
    Spec(
        "help:manage-edit",
        "object",
        get=allow(EDITORS),
        post=allow(EDITORS, 302),
        kwargs=tenant_kwargs(
            lambda w, t: {"kind": "faq", "pk": w.faq[t].pk}, {"kind": "faq", "pk": MISSING}
        ),
        payload=lambda w, r, v: {
            "title": "Changed by the matrix",
            "slug": w.faq[w.tenant_of(r, v)].slug,
            "language": "en",
            "order": "1",
            "status": "published",
            "body": "Changed.",
        },
        models=("help.FaqItem", "help.Manual"),
    ),
    Spec(
        "help:manage-preview",
        "object",
        get=allow(EDITORS),
        kwargs=tenant_kwargs(
            lambda w, t: {"kind": "manual", "pk": w.manual[t].pk},
            {"kind": "manual", "pk": MISSING},
        ),
    ),
    Spec(
        "help:manage-status",
        "object",
        get=expect(405, anonymous=405),
        post=allow(EDITORS, 302),
        kwargs=tenant_kwargs(
            lambda w, t: {"kind": "manual", "pk": w.manual[t].pk},
            {"kind": "manual", "pk": MISSING},
        ),
        payload=lambda w, r, v: {"status": "draft"},
        models=("help.FaqItem", "help.Manual"),
    ),
    Spec(
        "support:user",
        "object",
        get=allow(SUPPORT),
        kwargs=tenant_kwargs(lambda w, t: {"pk": w.target[t].pk}, {"pk": MISSING}),
    ),
]
SUPPORT_ACTIONS = {
    "support:unblock": "unblock",
    "support:resend-invitation": "invitation",
    "support:reset-phone": "phone",
    "support:reset-factors": "factors",
    "support:end-sessions": "sessions",
    "support:deactivate": "deactivate",
}
REASON = "Caller identified by date of birth and employer"


def _support_payload(action: str) -> Any:
    def build(world: World, role: str, variant: str) -> dict[str, Any]:
        data = {f"{action}-reason": REASON}
        if action == "phone":
            data["phone-phone"] = "06 87654321"
        return data

    return build


OBJECT_SPECS += [
    Spec(
        name,
        "object",
        get=allow(SUPPORT, 405),
        post=allow(SUPPORT, 302),
        kwargs=tenant_kwargs(lambda w, t: {"pk": w.target[t].pk}, {"pk": MISSING}),
        payload=_support_payload(action),
        models=USER_MODELS,
    )
    for name, action in SUPPORT_ACTIONS.items()
]


#: Who asks a page that is the same for every logged-in user.
ANY_USER = ("anonymous", "hr", "staff", "foreign")


def page(key: str, get: Expect, *, gated: bool = False, **kw: Any) -> Spec:
    """``gated``: some roles may, some may not: every role asks. Otherwise anonymous, one
    user, a staff user and the other tenant's user ask."""
    roles = ROLES if gated or len({v for k, v in get.items() if k != "anonymous"}) > 1 else ANY_USER
    return Spec(key, "page", get={r: get[r] for r in roles}, **kw)


ABSENCE_USERS = ("hr", "manager", "case_manager", "physician", "broker", "noscope")
#: Pages without an object in the URL: the answer per role to a GET at the role's home
#: portal, except ``foreign``, who asks at OUR portal (their session is not valid here).
PAGE_SPECS = [
    page("core:home", expect(200)),
    page("core:healthz", expect(200, anonymous=200)),
    page("accounts:login", expect(302, anonymous=200)),  # logged in: home
    page("accounts:logout", expect(405, anonymous=405)),
    page("accounts:logout-everywhere", expect(405, anonymous=405)),
    page("mfa:sms", expect(302, anonymous=302)),
    page("mfa:sms-resend", expect(405, anonymous=405)),
    page("mfa:backup-code", expect(302, anonymous=302)),
    page("mfa:backup-codes-new", expect(200)),
    page("mfa:backup-codes-saved", expect(405, anonymous=405)),
    page("mfa:reauth", expect(200)),
    page("mfa:totp", expect(302, anonymous=302)),
    page("mfa:totp-add", expect(200)),
    page("mfa:webauthn", expect(302, anonymous=302)),
    page("mfa:webauthn-blocked", expect(LOGIN)),  # without a fresh block: to the login
    page("mfa:webauthn-auth-options", expect(405, anonymous=405)),
    page("mfa:webauthn-auth-verify", expect(405, anonymous=405)),
    page("mfa:webauthn-add", expect(200)),
    page("mfa:webauthn-register-options", expect(405, anonymous=405)),
    page("mfa:webauthn-register-verify", expect(405, anonymous=405)),
    page("activation:password", expect(200, anonymous=200)),
    page("activation:phone", expect(200, anonymous=200)),
    page("activation:factor", expect(302)),
    page("activation:backup-codes", expect(302)),
    page("activation:finish", expect(405, anonymous=405)),
    page("settings:security", expect(200)),
    page("settings:password", expect(200)),
    page("settings:phone", expect(200)),
    page("settings:default-method", expect(405, anonymous=405)),
    page("settings:session-end", expect(405, anonymous=405)),
    page("settings:sessions-end-others", expect(405, anonymous=405)),
    page("settings:trusted-revoke", expect(405, anonymous=405)),
    page("help:index", expect(200, anonymous=200)),
    page("help:faq", expect(200, anonymous=200)),
    page("help:search", expect(200, anonymous=200), query={"q": "matrix"}),
    page("help:contact", expect(200)),
    page("help:contact-sent", expect(302)),
    page("help:support-requests", allow(SUPPORT)),
    page("help:manage", allow(EDITORS)),
    page("support:home", allow(SUPPORT)),
    page("support:errors", allow(SUPPORT)),
    page("support:audit", allow(SUPPORT)),
    page("support:audit-export", allow(SUPPORT)),
    page("support:employee-export", allow(SUPPORT)),
    page("absence:employers", allow(ABSENCE_USERS)),
    page("absence:employees", allow(ABSENCE_USERS)),
    page("absence:import", allow(("hr", "help_editor"))),  # HR of whole employers, admins
    # Everyone logged in sees the dashboard (an empty state without scope); its exports
    # exist only for users with scope.
    page("absence:dashboard", expect(200)),
    page(
        "absence:dashboard-export",
        expect(404, **{r: 200 for r in ABSENCE_USERS if r != "noscope"}),
        query={"format": "csv"},
    ),
    page(
        "absence:reports-export",
        expect(404, **{r: 200 for r in ABSENCE_USERS if r != "noscope"}),
        query={"format": "xlsx"},
    ),
    page("absence:worklist", allow(ABSENCE_USERS)),
    page("recovery:login-name", expect(200, anonymous=200)),
    page("recovery:password", expect(200, anonymous=200)),
    page("recovery:set-password", expect(200, anonymous=200)),
    page("set_language", expect(302, anonymous=302)),
]
for _spec in PAGE_SPECS:  # the foreign user asks at our portal: logged out there
    assert _spec.get is not None
    _spec.get["foreign"] = _spec.get["anonymous"]

#: The technical admin, classified as a group by its prefix: staff of the portal only.
ADMIN_PREFIX = "beheer/"
SPECS = {spec.key: spec for spec in [*OBJECT_SPECS, *PAGE_SPECS]}


def classify(route: Route) -> str:
    """The matrix's entry for a URL pattern ("admin" for the admin group)."""
    if route.route.startswith(ADMIN_PREFIX):
        return "admin"
    return route.key


def resolve_model(label: str) -> type[Model]:
    from django.apps import apps

    return apps.get_model(label)
