"""The fuzz suite's tables: how to reach every URL pattern, which forms and query
parameters are fuzzed where, and which URLs are not fuzzed and why.

tests/security/test_fuzz_inventory.py checks these tables against the project itself (the
URL resolver, the forms the pages render, the ``request.GET`` reads in the source), so a
new URL, form or query parameter makes a test fail until it is added here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.factories import PASSWORD
from tests.security.fuzz_support import (
    MISSING,
    FieldRules,
    FuzzWorld,
    HtmlForm,
    parse_forms,
    run_rolled_back,
)

Path = Callable[[FuzzWorld], str]


def fixed(path: str) -> Path:
    return lambda fw: path


# --- how to reach each page -----------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """GET ``path`` as ``state`` (see fuzz_support.STATES) to see the page's forms."""

    state: str
    path: Path
    #: Some pages only appear after a POST (the new backup codes with their "saved" form).
    post: dict[str, str] | None = None

    def get(self, fw: FuzzWorld) -> Any:
        client = fw.client(self.state)
        if self.post is not None:
            return client.post(self.path(fw), self.post)
        return client.get(self.path(fw))


#: Every URL pattern that answers a GET with a page, and how a user reaches it. A page that
#: renders a <form> has that form fuzzed (FORMS); the inventory test fails when a page
#: renders a form that FORMS does not list.
VISITS: dict[str, list[Visit]] = {
    "core:home": [Visit("hr", fixed("/")), Visit("support", fixed("/"))],
    "core:healthz": [Visit("anonymous", fixed("/healthz"))],
    "accounts:login": [Visit("anonymous", fixed("/accounts/login/"))],
    "admin:login": [Visit("anonymous", fixed("/beheer/login/"))],
    "activation:password": [Visit("activation_password", fixed("/activate/password/"))],
    "activation:phone": [Visit("activation_phone", fixed("/activate/phone/"))],
    "activation:factor": [Visit("activation_factor", fixed("/activate/extra/"))],
    "activation:backup-codes": [Visit("activation_factor", fixed("/activate/backup-codes/"))],
    "recovery:login-name": [Visit("anonymous", fixed("/recover/login-name/"))],
    "recovery:password": [Visit("anonymous", fixed("/recover/password/"))],
    "recovery:set-password": [Visit("reset", fixed("/recover/password/new/"))],
    "mfa:sms": [Visit("pending_sms", fixed("/accounts/verify/sms/"))],
    "mfa:backup-code": [Visit("pending_sms", fixed("/accounts/verify/backup-code/"))],
    "mfa:totp": [Visit("pending_totp", fixed("/accounts/verify/app/"))],
    "mfa:webauthn": [Visit("pending_key", fixed("/accounts/verify/key/"))],
    "mfa:webauthn-blocked": [Visit("anonymous", fixed("/accounts/verify/key/blocked/"))],
    "mfa:reauth": [
        Visit("hr", fixed("/accounts/verify/again/")),
        Visit("totp_user", fixed("/accounts/verify/again/")),
    ],
    "mfa:backup-codes-new": [
        Visit("hr", fixed("/accounts/verify/backup-codes/new/")),
        Visit("hr", fixed("/accounts/verify/backup-codes/new/"), post={"generate": "1"}),
    ],
    "mfa:totp-add": [Visit("hr", fixed("/accounts/verify/app/add/"))],
    "mfa:totp-remove": [
        Visit("totp_user", lambda fw: f"/accounts/verify/app/{fw.ids['totp_device']}/remove/")
    ],
    "mfa:webauthn-add": [Visit("hr", fixed("/accounts/verify/key/add/"))],
    "mfa:webauthn-remove": [
        Visit("key_user", lambda fw: f"/accounts/verify/key/{fw.ids['key']}/remove/")
    ],
    "settings:security": [
        Visit("hr", fixed("/settings/security/")),
        Visit("totp_user", fixed("/settings/security/")),
    ],
    "settings:password": [Visit("hr", fixed("/settings/security/password/"))],
    "settings:phone": [Visit("hr", fixed("/settings/security/phone/"))],
    "settings:phone-recovery": [
        Visit("hr", lambda fw: f"/settings/security/phone/confirm/{fw.tokens['phone_recovery']}/")
    ],
    "help:index": [Visit("anonymous", fixed("/help/")), Visit("hr", fixed("/help/"))],
    "help:faq": [Visit("anonymous", fixed("/help/faq/"))],
    "help:manual": [Visit("hr", lambda fw: f"/help/manuals/{fw.ids['manual_slug']}/")],
    "help:search": [Visit("anonymous", fixed("/help/search/?q=fuzz"))],
    "help:contact": [Visit("hr", fixed("/help/contact/"))],
    "help:contact-sent": [Visit("hr", fixed("/help/contact/sent/"))],
    "help:support-requests": [Visit("support", fixed("/help/support-requests/"))],
    "help:support-request": [
        Visit("support", lambda fw: f"/help/support-requests/{fw.ids['support_request']}/")
    ],
    "help:manage": [Visit("tenant_admin", fixed("/help/manage/"))],
    "help:manage-new": [
        Visit("tenant_admin", fixed("/help/manage/faq/new/")),
        Visit("tenant_admin", fixed("/help/manage/manual/new/")),
    ],
    "help:manage-edit": [
        Visit("tenant_admin", lambda fw: f"/help/manage/faq/{fw.ids['faq']}/"),
        Visit("tenant_admin", lambda fw: f"/help/manage/manual/{fw.ids['manual']}/"),
    ],
    "help:manage-preview": [
        Visit("tenant_admin", lambda fw: f"/help/manage/faq/{fw.ids['faq']}/preview/")
    ],
    "support:home": [Visit("support", fixed("/support/?q=bob"))],
    "support:user": [
        Visit("support", lambda fw: f"/support/users/{fw.ids['support_subject']}/"),
        Visit("support", lambda fw: f"/support/users/{fw.users['new_password'].pk}/"),
    ],
    "support:errors": [Visit("support", fixed("/support/errors/"))],
    "support:audit": [Visit("support", fixed("/support/audit/"))],
    "support:employee-export": [
        Visit(
            "support",
            lambda fw: f"/support/medewerkers/?employer={fw.ids['employer']}&personnel_number=1001",
        )
    ],
    "absence:employers": [Visit("hr", fixed("/verzuim/werkgevers/"))],
    "absence:employees": [Visit("hr", fixed("/verzuim/medewerkers/"))],
    "absence:employee": [Visit("hr", lambda fw: f"/verzuim/medewerkers/{fw.ids['employee']}/")],
    "absence:import": [Visit("hr", fixed("/verzuim/import/"))],
    "absence:report-sick": [
        Visit("hr", lambda fw: f"/verzuim/medewerkers/{fw.ids['employee']}/ziekmelden/")
    ],
    "absence:report-recovery": [
        Visit("hr", lambda fw: f"/verzuim/ziekmeldingen/{fw.ids['report']}/herstel/")
    ],
    "absence:report-correct": [
        Visit("hr", lambda fw: f"/verzuim/ziekmeldingen/{fw.ids['report']}/correctie/")
    ],
    "absence:report-withdraw": [
        Visit("hr", lambda fw: f"/verzuim/ziekmeldingen/{fw.ids['report']}/intrekken/")
    ],
    "absence:case": [
        Visit("hr", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/"),
        Visit("physician", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/"),
        Visit("case_manager", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/"),
    ],
    "absence:case-document-add": [
        Visit("hr", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/documenten/nieuw/")
    ],
    "absence:case-appointment-add": [
        Visit("case_manager", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/afspraken/nieuw/")
    ],
    "absence:case-note-add": [
        Visit("hr", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/notities/nieuw/")
    ],
    "absence:case-advice-add": [
        Visit("physician", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/advies/nieuw/")
    ],
    "absence:case-medical": [
        Visit("physician", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/medisch/")
    ],
    "absence:dashboard": [Visit("hr", fixed("/verzuim/dashboard/"))],
    "absence:worklist": [Visit("hr", fixed("/verzuim/actiemonitor/"))],
}

# --- the POST forms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormTarget:
    """A POST target: the pages that render its form(s), as whom, and what the HTML does not
    say about its fields."""

    visits: tuple[Visit, ...]
    rules: FieldRules = FieldRules()
    #: A submission the form accepts (checked by a control post): the poisoned examples
    #: start from it, so a refusal is the poisoned field's doing. Without it, the values
    #: the page itself holds are the start.
    valid: Callable[[FuzzWorld], dict[str, Any]] | None = None

    def variants(self, fw: FuzzWorld, name: str) -> list[tuple[str, HtmlForm]]:
        """(state, form) for every distinct form posting to ``name`` on the pages."""
        found: dict[tuple[str, tuple[str, ...]], tuple[str, HtmlForm]] = {}
        for visit in self.visits:
            path = visit.path(fw)
            # Rolled back: a visit that posts (new backup codes) must not change the next.
            response = run_rolled_back(
                fw.client(visit.state), lambda c, v=visit: v.get(fw)
            ).response
            assert response.status_code == 200, (name, path, response.status_code)
            for form in parse_forms(path, response.content.decode()):
                if form.method == "post" and form.url_name == name:
                    key = (form.action, tuple(sorted(form.fields)))
                    found.setdefault(key, (visit.state, form))
        return list(found.values())


def on(state: str, path: str | Path) -> tuple[Visit, ...]:
    return (Visit(state, fixed(path) if isinstance(path, str) else path),)


NEXT = FieldRules(free=frozenset({"next"}))
REASON = "Caller checked with date of birth"
GOOD_PASSWORD = "Een-lang-en-nieuw-wachtwoord-77"


def pdf_file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.absence.case_world import PDF

    return SimpleUploadedFile("brief.pdf", PDF, content_type="application/pdf")


def csv_file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = "personeelsnummer;voornaam;achternaam;startdatum;contracturen;fulltime-uren"
    body = f"{header}\n9001;Nieuw;Persoon;01-01-2024;40;40\n".encode()
    return SimpleUploadedFile("salaris.csv", body, content_type="text/csv")


def content(slug: str) -> Callable[[FuzzWorld], dict[str, Any]]:
    return lambda fw: {
        "title": "Fuzz title",
        "slug": slug,
        "language": "en",
        "order": "5",
        "status": "draft",
        "body": "Body text",
    }


HOME = "/"
SECURITY = "/settings/security/"

#: Every POST form of the portal (the inventory test finds them all on the pages of VISITS).
FORMS: dict[str, FormTarget] = {
    "accounts:login": FormTarget(
        on("anonymous", "/accounts/login/"),
        NEXT,
        lambda fw: {"username": "hanna.hr", "password": PASSWORD},
    ),
    "accounts:logout": FormTarget(on("hr", HOME)),
    "accounts:logout-everywhere": FormTarget(on("hr", HOME)),
    "set_language": FormTarget(
        on("hr", HOME), FieldRules(free=frozenset({"next"}), choices=(("language", ("nl", "en")),))
    ),
    "activation:password": FormTarget(
        on("activation_password", "/activate/password/"),
        FieldRules(free=frozenset({"username"})),
        lambda fw: {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    ),
    "activation:phone": FormTarget(
        on("activation_phone", "/activate/phone/"), FieldRules(free=frozenset({"action"}))
    ),
    "activation:backup-codes": FormTarget(on("activation_factor", "/activate/backup-codes/")),
    "activation:finish": FormTarget(
        on("activation_factor", "/activate/backup-codes/"), valid=lambda fw: {"saved": "on"}
    ),
    "recovery:login-name": FormTarget(
        on("anonymous", "/recover/login-name/"),
        valid=lambda fw: {"email": fw.users["hr"].email},
    ),
    "recovery:password": FormTarget(
        on("anonymous", "/recover/password/"), valid=lambda fw: {"username": "hanna.hr"}
    ),
    "recovery:set-password": FormTarget(
        on("reset", "/recover/password/new/"),
        FieldRules(free=frozenset({"username"})),
        lambda fw: {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    ),
    "mfa:sms": FormTarget(on("pending_sms", "/accounts/verify/sms/")),
    "mfa:sms-resend": FormTarget(on("pending_totp", "/accounts/verify/app/")),
    "mfa:backup-code": FormTarget(on("pending_sms", "/accounts/verify/backup-code/")),
    "mfa:totp": FormTarget(on("pending_totp", "/accounts/verify/app/")),
    "mfa:reauth": FormTarget(
        (
            Visit("hr", fixed("/accounts/verify/again/")),
            Visit("totp_user", fixed("/accounts/verify/again/")),
            Visit("reauth_sms_sent", fixed("/accounts/verify/again/")),
        ),
        FieldRules(free=frozenset({"next", "action"})),
    ),
    "mfa:backup-codes-new": FormTarget(on("hr", "/accounts/verify/backup-codes/new/")),
    "mfa:backup-codes-saved": FormTarget(
        (Visit("hr", fixed("/accounts/verify/backup-codes/new/"), post={"generate": "1"}),),
        valid=lambda fw: {"saved": "on"},
    ),
    "mfa:totp-add": FormTarget(
        on("hr", "/accounts/verify/app/add/"), FieldRules(free=frozenset({"next", "setup"}))
    ),
    "mfa:totp-remove": FormTarget(on("totp_user", SECURITY)),
    "mfa:webauthn-remove": FormTarget(
        on("key_user", lambda fw: f"/accounts/verify/key/{fw.ids['key']}/remove/")
    ),
    "settings:default-method": FormTarget(
        on("totp_user", SECURITY), valid=lambda fw: {"method": "sms"}
    ),
    "settings:password": FormTarget(
        on("hr", "/settings/security/password/"),
        valid=lambda fw: {
            "current_password": PASSWORD,
            "new_password1": GOOD_PASSWORD,
            "new_password2": GOOD_PASSWORD,
        },
    ),
    "settings:phone": FormTarget(
        (
            Visit("hr", fixed("/settings/security/phone/")),
            Visit("phone_change_pending", fixed("/settings/security/phone/")),
        ),
        FieldRules(free=frozenset({"action"})),
    ),
    "settings:phone-recovery": FormTarget(
        on("hr", lambda fw: f"/settings/security/phone/confirm/{fw.tokens['phone_recovery']}/")
    ),
    "settings:session-end": FormTarget(on("hr", SECURITY), FieldRules(choices=(("session", ()),))),
    "settings:sessions-end-others": FormTarget(on("hr", SECURITY)),
    "settings:trusted-revoke": FormTarget(on("hr", SECURITY)),
    "help:contact": FormTarget(
        on("hr", "/help/contact/"),
        FieldRules(free=frozenset({"page"}), typed_files=frozenset({"screenshot"})),
        lambda fw: {"subject": "Help", "message": "It does not work"},
    ),
    "help:support-request-status": FormTarget(
        on("support", lambda fw: f"/help/support-requests/{fw.ids['support_request']}/"),
        valid=lambda fw: {"status": "resolved"},
    ),
    "help:manage-new": FormTarget(
        (
            Visit("tenant_admin", fixed("/help/manage/faq/new/")),
            Visit("tenant_admin", fixed("/help/manage/manual/new/")),
        ),
        valid=content("nieuw-fuzz"),
    ),
    "help:manage-edit": FormTarget(
        (
            Visit("tenant_admin", lambda fw: f"/help/manage/faq/{fw.ids['faq']}/"),
            Visit("tenant_admin", lambda fw: f"/help/manage/manual/{fw.ids['manual']}/"),
        ),
        valid=content("fuzz-bewerkt"),
    ),
    "help:manage-status": FormTarget(
        on("tenant_admin", "/help/manage/"),
        FieldRules(choices=(("status", ("draft", "published")),)),
        lambda fw: {"status": "draft"},
    ),
    "support:unblock": FormTarget(
        on("support", lambda fw: _subject(fw)), valid=lambda fw: {"unblock-reason": REASON}
    ),
    "support:resend-invitation": FormTarget(
        on("support", lambda fw: _subject(fw, "new_password")),
        valid=lambda fw: {"invitation-reason": REASON},
    ),
    "support:reset-phone": FormTarget(
        on("support", lambda fw: _subject(fw)),
        valid=lambda fw: {"phone-phone": "06 12345678", "phone-reason": REASON},
    ),
    "support:reset-factors": FormTarget(
        on("support", lambda fw: _subject(fw, "totp_user")),
        valid=lambda fw: {"factors-reason": REASON},
    ),
    "support:end-sessions": FormTarget(
        on("support", lambda fw: _subject(fw, "hr")),
        valid=lambda fw: {"sessions-reason": REASON},
    ),
    "support:deactivate": FormTarget(
        on("support", lambda fw: _subject(fw)), valid=lambda fw: {"deactivate-reason": REASON}
    ),
    "support:employee-export": FormTarget(
        on(
            "support",
            lambda fw: f"/support/medewerkers/?employer={fw.ids['employer']}&personnel_number=1001",
        ),
        # The lookup travels along hidden; "reason" and "format" are the export's own fields.
        FieldRules(free=frozenset({"employer", "personnel_number"})),
        lambda fw: {
            "employer": str(fw.ids["employer"]),
            "personnel_number": "1001",
            "format": "json",
            "reason": "Request 12, identity checked",
        },
    ),
    "absence:import": FormTarget(
        on("hr", "/verzuim/import/"),
        FieldRules(typed_files=frozenset({"file"})),
        lambda fw: {"employer": str(fw.ids["employer"]), "file": csv_file(), "dry_run": MISSING},
    ),
    "absence:report-sick": FormTarget(
        on("hr", lambda fw: f"/verzuim/medewerkers/{fw.ids['healthy']}/ziekmelden/"),
        valid=lambda fw: {
            "first_sick_day": "2026-05-28",
            "classification": "sick",
            "expected_duration": "unknown",
            "incapacity": "100",
            "safety_net": "no",
            "third_party_liable": "no",
        },
    ),
    "absence:report-recovery": FormTarget(
        on("hr", lambda fw: f"/verzuim/ziekmeldingen/{fw.ids['report']}/herstel/"),
        valid=lambda fw: {"kind": "partial", "on": "2026-05-20", "incapacity": "50"},
    ),
    "absence:report-correct": FormTarget(
        on("hr", lambda fw: f"/verzuim/ziekmeldingen/{fw.ids['report']}/correctie/"),
        valid=lambda fw: {
            "entry": str(fw.world.report.mutations.get().pk),
            "effective_date": "2026-05-05",
            "incapacity": "80",
            "reason": "Wrong day entered",
        },
    ),
    "absence:report-withdraw": FormTarget(
        on("hr", lambda fw: f"/verzuim/ziekmeldingen/{fw.ids['report']}/intrekken/"),
        valid=lambda fw: {"reason": "Reported by mistake"},
    ),
    "absence:case-task-done": FormTarget(
        on("hr", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/")
    ),
    "absence:case-document-add": FormTarget(
        on("hr", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/documenten/nieuw/"),
        FieldRules(typed_files=frozenset({"file"})),
        lambda fw: {"kind": "action_plan", "confidentiality": "employer", "file": pdf_file()},
    ),
    "absence:case-appointment-add": FormTarget(
        on("case_manager", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/afspraken/nieuw/"),
        valid=lambda fw: {"with_role": "physician", "starts_at": "2026-06-10T10:00"},
    ),
    "absence:case-note-add": FormTarget(
        on("hr", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/notities/nieuw/"),
        valid=lambda fw: {"text": "Called on Monday", "visibility": "employer"},
    ),
    "absence:case-advice-add": FormTarget(
        on("physician", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/advies/nieuw/"),
        valid=lambda fw: {"limitations": "No lifting", "expected_duration": "2 weeks"},
    ),
    "absence:case-medical": FormTarget(
        on("physician", lambda fw: f"/verzuim/trajecten/{fw.ids['case']}/medisch/"),
        valid=lambda fw: {"text": "Seen today"},
    ),
}


def _subject(fw: FuzzWorld, who: str = "blocked_user") -> str:
    return f"/support/users/{fw.users[who].pk}/"


#: Forms a script sends instead of the browser: their fields are fuzzed through the JSON
#: endpoint the script posts to (test_fuzz_json_uploads.py).
SCRIPT_FORMS = {"mfa:webauthn-add": "mfa:webauthn-register-verify"}


# --- the query string ------------------------------------------------------------------------


@dataclass(frozen=True)
class GetRead:
    """One function that reads ``request.GET``: the keys it reads by name, the forms it
    binds to the query string, and whether it passes the whole query on (pagination links,
    a redirect that keeps the filters)."""

    keys: frozenset[str] = frozenset()
    forms: tuple[str, ...] = ()  # "module.Class"
    whole: bool = False

    def params(self) -> set[str]:
        import importlib

        found = set(self.keys)
        for dotted in self.forms:
            module, _dot, name = dotted.rpartition(".")
            found |= set(getattr(importlib.import_module(module), name).base_fields)
        return found


def keys(*names: str) -> frozenset[str]:
    return frozenset(names)


#: Every function of the portal that reads the query string (test_fuzz_inventory.py scans
#: the source for ``.GET`` and fails on any function missing here).
GET_READS: dict[str, GetRead] = {
    "verzuim.absence.views.worklist:worklist": GetRead(
        keys("page"), ("verzuim.absence.views.worklist.WorklistFilterForm",), whole=True
    ),
    "verzuim.absence.views.dashboard:_form": GetRead(
        forms=("verzuim.absence.forms.figures.FigureFilterForm",)
    ),
    "verzuim.absence.views.dashboard:dashboard": GetRead(whole=True),
    "verzuim.absence.views.dashboard:_export_request": GetRead(keys("format")),
    "verzuim.absence.views.dashboard:_back": GetRead(whole=True),
    "verzuim.absence.views.organisation:employees": GetRead(
        keys("page"), ("verzuim.absence.forms.organisation.EmployeeFilterForm",), whole=True
    ),
    "verzuim.support.access_views:employee_export": GetRead(
        forms=("verzuim.support.access_views.EmployeeLookupForm",)
    ),
    "verzuim.support.views:home": GetRead(forms=("verzuim.support.forms.SearchForm",)),
    "verzuim.support.views:error_lookup": GetRead(forms=("verzuim.support.forms.ErrorLookupForm",)),
    "verzuim.support.views:_audit_filters": GetRead(
        forms=("verzuim.support.forms.AuditFilterForm",)
    ),
    "verzuim.support.views:audit_log": GetRead(keys("page"), whole=True),
    "verzuim.tenants.middleware:resolve_tenant": GetRead(keys("tenant")),
    "verzuim.help.views:search": GetRead(keys("q")),
    "verzuim.help.support_views:contact": GetRead(keys("from", "ref")),
    "verzuim.help.support_views:request_list": GetRead(keys("status")),
    "verzuim.accounts.admin_site:protect_admin.login": GetRead(keys("next")),
    "verzuim.accounts.views:safe_next": GetRead(keys("next")),
}


@dataclass(frozen=True)
class QueryTarget:
    """A page whose query string is fuzzed: as whom, on which host, and which of the
    GET_READS it goes through (their parameters are the ones fuzzed)."""

    state: str
    path: str
    reads: tuple[str, ...]
    host: str = "testserver"
    #: Models a GET of this page writes by design (besides REFUSAL_MAY_CHANGE).
    writes: frozenset[str] = frozenset()


SUPPORT = "verzuim.support"
ABSENCE = "verzuim.absence.views"
SAFE_NEXT = "verzuim.accounts.views:safe_next"

QUERIES: dict[str, QueryTarget] = {
    "absence:worklist": QueryTarget(
        "hr", "/verzuim/actiemonitor/", (f"{ABSENCE}.worklist:worklist",)
    ),
    "absence:dashboard": QueryTarget(
        "hr",
        "/verzuim/dashboard/",
        (f"{ABSENCE}.dashboard:_form", f"{ABSENCE}.dashboard:dashboard"),
    ),
    "absence:dashboard-export": QueryTarget(
        "hr",
        "/verzuim/dashboard/export/",
        (
            f"{ABSENCE}.dashboard:_form",
            f"{ABSENCE}.dashboard:_export_request",
            f"{ABSENCE}.dashboard:_back",
        ),
    ),
    "absence:reports-export": QueryTarget(
        "hr",
        "/verzuim/dashboard/export/ziekmeldingen/",
        (
            f"{ABSENCE}.dashboard:_form",
            f"{ABSENCE}.dashboard:_export_request",
            f"{ABSENCE}.dashboard:_back",
        ),
    ),
    "absence:employees": QueryTarget(
        "hr", "/verzuim/medewerkers/", (f"{ABSENCE}.organisation:employees",)
    ),
    "support:employee-export": QueryTarget(
        "support", "/support/medewerkers/", (f"{SUPPORT}.access_views:employee_export",)
    ),
    "support:home": QueryTarget("support", "/support/", (f"{SUPPORT}.views:home",)),
    "support:errors": QueryTarget(
        "support", "/support/errors/", (f"{SUPPORT}.views:error_lookup",)
    ),
    "support:audit": QueryTarget(
        "support",
        "/support/audit/",
        (f"{SUPPORT}.views:_audit_filters", f"{SUPPORT}.views:audit_log"),
    ),
    "support:audit-export": QueryTarget(
        "support", "/support/audit/export/", (f"{SUPPORT}.views:_audit_filters",)
    ),
    "help:search": QueryTarget("anonymous", "/help/search/", ("verzuim.help.views:search",)),
    "help:contact": QueryTarget("hr", "/help/contact/", ("verzuim.help.support_views:contact",)),
    "help:support-requests": QueryTarget(
        "support", "/help/support-requests/", ("verzuim.help.support_views:request_list",)
    ),
    "admin:login": QueryTarget(
        "anonymous", "/beheer/login/", ("verzuim.accounts.admin_site:protect_admin.login",)
    ),
    "accounts:login": QueryTarget("anonymous", "/accounts/login/", (SAFE_NEXT,)),
    "mfa:reauth": QueryTarget("hr", "/accounts/verify/again/", (SAFE_NEXT,)),
    "mfa:webauthn-add": QueryTarget("hr", "/accounts/verify/key/add/", (SAFE_NEXT,)),
    "mfa:totp-add": QueryTarget(
        # Opening the page starts (or resumes) setting up an app: a pending device.
        "hr",
        "/accounts/verify/app/add/",
        (SAFE_NEXT,),
        writes=frozenset({"mfa.totpdevice"}),
    ),
    # ``?tenant=`` is read only where the host name is no portal's (never in production).
    "accounts:login@unknown-host": QueryTarget(
        "anonymous",
        "/accounts/login/",
        ("verzuim.tenants.middleware:resolve_tenant",),
        host="onbekend.verzuim.test",
    ),
}


def query_params(target: QueryTarget) -> list[str]:
    return sorted(set().union(*(GET_READS[r].params() for r in target.reads)))


# --- path parameters ---------------------------------------------------------------------------

#: Who requests a URL whose path parameters are fuzzed, when VISITS does not say (POST-only
#: URLs are sent an empty POST).
PATH_STATES: dict[str, str] = {
    "activation:link": "anonymous",
    "recovery:link": "anonymous",
    "absence:case-document": "hr",
    "absence:case-task-done": "hr",
    "help:support-request-status": "support",
    "help:support-request-screenshot": "support",
    "help:manage-status": "tenant_admin",
    "mfa:totp-remove": "totp_user",
    "mfa:webauthn-remove": "key_user",
    "support:unblock": "support",
    "support:resend-invitation": "support",
    "support:reset-phone": "support",
    "support:reset-factors": "support",
    "support:end-sessions": "support",
    "support:deactivate": "support",
}
POST_ONLY = {
    "absence:case-task-done",
    "help:support-request-status",
    "help:manage-status",
    "support:unblock",
    "support:resend-invitation",
    "support:reset-phone",
    "support:reset-factors",
    "support:end-sessions",
    "support:deactivate",
}


def path_state(name: str) -> str:
    if name in PATH_STATES:
        return PATH_STATES[name]
    return VISITS[name][0].state


# --- JSON endpoints and uploads -----------------------------------------------------------------

#: The security-key endpoints static/js/webauthn.js talks to (test_fuzz_json_uploads.py).
JSON_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "mfa:webauthn-auth-options": ("pending_key", "key_user"),
    "mfa:webauthn-auth-verify": ("pending_key", "key_user"),
    "mfa:webauthn-register-options": ("hr",),
    "mfa:webauthn-register-verify": ("hr",),
}

#: URLs that take no input at all: no form posts to them, they read no query parameter and
#: have no path parameter (the inventory test checks the first two claims against the pages
#: and the source); there is nothing to fuzz but the URL itself.
NOT_FUZZED: dict[str, str] = {
    "core:home": "no input (the start page)",
    "core:healthz": "no input (the load balancer's health check)",
    "help:manage": "no input (the list; its status buttons post to help:manage-status)",
    "help:index": "no input (lists manuals and questions)",
    "help:faq": "no input (lists questions)",
    "help:contact-sent": "no input (reads the request id from the session)",
    "activation:factor": "no input (links to the factor pages, which are fuzzed)",
    "mfa:webauthn": "no input (the page only runs the script; its JSON endpoints are fuzzed)",
    "mfa:webauthn-blocked": "no input (reads a flag from the session)",
    "settings:security": "no input (the overview; its forms post elsewhere and are fuzzed)",
    "absence:employers": "no input (the list of employers in scope)",
}

#: URLs that are no page of their own to look for forms on, and why.
NOT_VISITED: dict[str, str] = {
    "accounts:logout": "POST only",
    "accounts:logout-everywhere": "POST only",
    "set_language": "POST only",
    "activation:finish": "POST only",
    "activation:link": "the e-mailed link: redirects to the next step",
    "recovery:link": "the e-mailed link: redirects to the next step",
    "mfa:sms-resend": "POST only",
    "mfa:backup-codes-saved": "POST only",
    "mfa:webauthn-auth-options": "JSON endpoint",
    "mfa:webauthn-auth-verify": "JSON endpoint",
    "mfa:webauthn-register-options": "JSON endpoint",
    "mfa:webauthn-register-verify": "JSON endpoint",
    "settings:default-method": "POST only",
    "settings:session-end": "POST only",
    "settings:sessions-end-others": "POST only",
    "settings:trusted-revoke": "POST only",
    "help:support-request-status": "POST only",
    "help:support-request-screenshot": "a download (an image)",
    "help:manage-status": "POST only",
    "support:unblock": "POST only",
    "support:resend-invitation": "POST only",
    "support:reset-phone": "POST only",
    "support:reset-factors": "POST only",
    "support:end-sessions": "POST only",
    "support:deactivate": "POST only",
    "support:audit-export": "a download (CSV)",
    "absence:case-document": "a download (the document)",
    "absence:case-task-done": "POST only",
    "absence:dashboard-export": "a download (CSV or Excel)",
    "absence:reports-export": "a download (CSV or Excel)",
}
