"""Support looks a reference code up in the admin, as the user reads it out."""

from __future__ import annotations

import pytest

from tests.core.pages import body
from verzuim.core.models import ErrorReport


@pytest.fixture
def support_client(logged_in_client, support_user):
    support_user.is_superuser = True
    support_user.save()
    return logged_in_client(support_user)


@pytest.fixture
def reports(tenant, other_tenant):
    return {
        "ours": ErrorReport.objects.create(reference="K7QM-2XDA", status=500, path="/a/",
                                           tenant=tenant, error_type="RuntimeError"),
        "also ours": ErrorReport.objects.create(reference="9BCD-EFGH", status=404, path="/b/",
                                                tenant=tenant, error_type="Http404"),
        "theirs": ErrorReport.objects.create(reference="ZZZZ-1234", status=500,
                                             path="/their/secret/", tenant=other_tenant),
        "no portal": ErrorReport.objects.create(reference="NNNN-0000", status=404,
                                                path="/", error_type="UnknownTenant"),
    }


def test_code_is_found_however_it_is_typed(support_client, reports):
    response = support_client.get("/beheer/core/errorreport/", {"q": "k7qm 2xda"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [reports["ours"]]


def test_support_sees_only_its_own_portals_errors(support_client, reports):
    listed = support_client.get("/beheer/core/errorreport/").context["cl"].result_list
    assert set(listed) == {reports["ours"], reports["also ours"], reports["no portal"]}

    response = support_client.get("/beheer/core/errorreport/", {"q": "ZZZZ-1234"})
    assert list(response.context["cl"].result_list) == []
    assert "/their/secret/" not in body(response)
    detail = support_client.get(f"/beheer/core/errorreport/{reports['theirs'].pk}/change/")
    assert detail.status_code == 302  # the admin's "does not exist" redirect


def test_reports_cannot_be_changed_or_deleted(support_client, reports):
    pk = reports["ours"].pk
    assert support_client.get("/beheer/core/errorreport/add/").status_code == 403
    assert support_client.post(f"/beheer/core/errorreport/{pk}/delete/",
                               {"post": "yes"}).status_code == 403
    assert ErrorReport.objects.filter(pk=pk).exists()
