"""Medical data never reaches the employer side, on any page of the portal.

SPEC 9 and ADR 7: medical notes and the medical file (documents of confidentiality
"medical") are the occupational physician's alone; HR, managers, case managers, brokers and
the support desk see work limitations and expected duration only.

``MEDICAL_MARKER`` is planted in every medical field of the world (the medical notes, the
medical documents' names and their file content). Every GET-able URL pattern from the same
walk as the access matrix, plus the exports in every format, the support desk's right-of-
access export (JSON and HTML), the error pages and the JSON endpoints, is fetched as each
employer-side role; the marker must not be in the body, in any header (the file name of a
download is in Content-Disposition) or in any cell of an Excel file. The physician does see
it where expected, so the search itself is proven to find it.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from tests.security.access_world import (
    ADMIN_PREFIX,
    CASE_TEAM_MARKER,
    EMPLOYER_SIDE,
    MEDICAL_MARKER,
    SPECS,
    body,
    client_for,
    module_world,
    walk_urls,
)

pytestmark = pytest.mark.django_db
REASON = "Request 2026-17 by letter, ID checked by phone"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from module_world(django_db_blocker, tmp_path_factory.mktemp("media"))


def content(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def texts(response: Any) -> dict[str, str]:
    """Everything a response tells its reader: headers, the body and, for an Excel file,
    the text of every part of the workbook (cells are compressed in the zip)."""
    raw = content(response)
    found = {f"header {name}": value for name, value in response.headers.items()}
    found["body"] = raw.decode("utf-8", "replace")
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as workbook:
            for name in workbook.namelist():
                found[f"xlsx {name}"] = workbook.read(name).decode("utf-8", "replace")
    return found


def leaks(response: Any, marker: str = MEDICAL_MARKER) -> list[str]:
    return [where for where, text in texts(response).items() if marker in text]


# --- the sweep -----------------------------------------------------------------------------


def _get_routes() -> list[str]:
    """Every URL pattern that answers GET (admin: its lists, below)."""
    keys = []
    for route in walk_urls():
        if route.route.startswith(ADMIN_PREFIX):
            continue
        spec = SPECS[route.key]
        if spec.get is not None and route.key not in keys:
            keys.append(route.key)
    return keys


def _answers_get(key: str, role: str) -> bool:
    """Whether the role gets more than "method not allowed" (an empty 405) from a GET. A
    page that is the same for every role (the matrix asks it as one user) is swept as HR
    and as the support desk."""
    table = SPECS[key].get or {}
    if SPECS[key].kind == "page" and role not in table and role != "support":
        return False
    return table.get(role, table.get("hr")) != 405


GET_ROUTES = _get_routes()
SWEEP = [
    pytest.param(key, role, id=f"{key}-{role}")
    for key in GET_ROUTES
    for role in EMPLOYER_SIDE
    if _answers_get(key, role)
]


@pytest.mark.parametrize(("key", "role"), SWEEP)
def test_employer_side_never_receives_medical_data(world, key, role):
    spec = SPECS[key]
    kwargs = spec.kwargs(world, role, "own") if spec.kind == "object" else {}
    response = client_for(world, role).get(reverse(key, kwargs=kwargs), spec.query)
    assert response.status_code < 500
    assert not leaks(response), f"{key} as {role}: medical marker in {leaks(response)}"
    if role != "case_manager":
        assert not leaks(response, CASE_TEAM_MARKER), f"{key} as {role}: case-team marker"


def _extra(world: Any) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Requests beyond one GET per pattern: other formats, the medical objects' own URLs
    (the error page they give), the desk's exports, the JSON endpoints, the admin lists."""
    a = world.sides["A"]
    medical_doc = reverse("absence:case-document", args=[a.case.pk, a.documents["medical"].pk])
    lookup = {"employer": a.employer.pk, "personnel_number": a.employee.personnel_number}
    return {
        "dashboard-xlsx": ("GET", reverse("absence:dashboard-export"), {"format": "xlsx"}),
        "reports-csv": ("GET", reverse("absence:reports-export"), {"format": "csv"}),
        "reports-xlsx": ("GET", reverse("absence:reports-export"), {"format": "xlsx"}),
        "medical-document": ("GET", medical_doc, {}),
        "medical-file": ("GET", reverse("absence:case-medical", args=[a.case.pk]), {}),
        "missing-case": ("GET", reverse("absence:case", args=[999999]), {}),
        "employees-search": ("GET", reverse("absence:employees"), {"q": "Ziek"}),
        "worklist-all": ("GET", reverse("absence:worklist"), {"group": "overdue"}),
        "support-lookup": ("GET", reverse("support:employee-export"), lookup),
        "support-export-json": (
            "POST",
            reverse("support:employee-export"),
            {**lookup, "format": "json", "reason": REASON},
        ),
        "support-export-html": (
            "POST",
            reverse("support:employee-export"),
            {**lookup, "format": "html", "reason": REASON},
        ),
        "support-audit-csv": ("GET", reverse("support:audit-export"), {}),
        "webauthn-options": ("POST", reverse("mfa:webauthn-register-options"), {}),
        "admin-audit": ("GET", "/beheer/audit/auditevent/", {}),
        "admin-employees": ("GET", "/beheer/absence/employer/", {}),
        "admin-users": ("GET", "/beheer/accounts/user/", {}),
    }


EXTRA = (
    "dashboard-xlsx",
    "reports-csv",
    "reports-xlsx",
    "medical-document",
    "medical-file",
    "missing-case",
    "employees-search",
    "worklist-all",
    "support-lookup",
    "support-export-json",
    "support-export-html",
    "support-audit-csv",
    "webauthn-options",
    "admin-audit",
    "admin-employees",
    "admin-users",
)


@pytest.mark.parametrize("role", [*EMPLOYER_SIDE, "staff"])
@pytest.mark.parametrize("what", EXTRA)
def test_exports_error_pages_and_json_hold_no_medical_data(world, what, role):
    method, url, data = _extra(world)[what]
    client = client_for(world, role)
    response = client.get(url, data) if method == "GET" else client.post(url, data)
    assert response.status_code < 500
    assert not leaks(response), f"{what} as {role}: medical marker in {leaks(response)}"


def test_the_desk_export_is_real_and_still_without_medical_text(world):
    """The support desk's export holds the employee's case (so the sweep reads a real
    export) and counts the medical note without its text."""
    a = world.sides["A"]
    response = client_for(world, "support").post(
        reverse("support:employee-export"),
        {
            "employer": a.employer.pk,
            "personnel_number": a.employee.personnel_number,
            "format": "json",
            "reason": REASON,
        },
    )
    data = json.loads(content(response))
    [case] = data["cases"]
    assert case["medical_notes"]["count"] == 1 and case["medical_notes"]["notes"] == []
    names = {d["id"]: d["file_name"] for d in case["documents"]}
    # Every document is listed; a medical one without its name (regression: the name of a
    # medical document was in the export of a support user who is no physician).
    assert names == {
        a.documents["employer"].pk: a.documents["employer"].original_name,
        a.documents["case_team"].pk: a.documents["case_team"].original_name,
        a.documents["medical"].pk: None,
    }


def test_the_excel_export_is_read_cell_by_cell(world):
    """The sweep's search finds text inside an Excel file (proof it would find a leak)."""
    response = client_for(world, "hr").get(reverse("absence:reports-export"), {"format": "xlsx"})
    assert response.status_code == 200
    found = leaks(response, world.sides["A"].employee.last_name)
    assert any(where.startswith("xlsx ") for where in found), found


# --- the physician sees it (the search can fail) -------------------------------------------


def test_the_physician_sees_the_medical_data_where_expected(world):
    a = world.sides["A"]
    client = client_for(world, "physician")
    case_page = client.get(reverse("absence:case", args=[a.case.pk]))
    assert leaks(case_page) == ["body"]  # the medical document is listed
    medical = client.get(reverse("absence:case-medical", args=[a.case.pk]))
    assert f"Diagnosis {MEDICAL_MARKER}" in body(medical)
    download = client.get(
        reverse("absence:case-document", args=[a.case.pk, a.documents["medical"].pk])
    )
    assert download.status_code == 200
    assert set(leaks(download)) == {"header Content-Disposition", "body"}


def test_a_physician_on_the_desk_gets_the_medical_text_in_the_export(world):
    """The other tenant's user has every role (support and physician): at their portal the
    desk export of their employee holds the medical note; the same request by our desk
    (support without the physician role) does not."""
    f = world.sides["F"]
    data = {
        "employer": f.employer.pk,
        "personnel_number": f.employee.personnel_number,
        "format": "json",
        "reason": REASON,
    }
    response = client_for(world, "foreign").post(reverse("support:employee-export"), data)
    assert response.status_code == 200
    assert leaks(response) == ["body"]
