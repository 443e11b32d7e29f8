"""Refused input is logged without the values typed (ASVS V16.3.3)."""

from __future__ import annotations

import logging

from verzuim.core import forms as core_forms


def _records(caplog):
    return [r for r in caplog.records if r.name == "verzuim.security.input"]


def test_a_malformed_code_is_logged_by_form_and_field_not_by_value(
    client, hr_user, login_password_step, caplog
):
    login_password_step(hr_user)
    with caplog.at_level(logging.INFO, logger="verzuim.security.input"):
        client.post("/accounts/verify/sms/", {"code": "12ab<script>"})
    (record,) = _records(caplog)
    message = record.getMessage()
    assert "form=verzuim.mfa.forms.SmsCodeForm" in message and "fields=code" in message
    assert "12ab" not in message and "<script>" not in message


def test_a_refused_login_form_does_not_log_the_password(client, tenant, caplog):
    with caplog.at_level(logging.INFO, logger="verzuim.security.input"):
        client.post("/accounts/login/", {"username": "", "password": "Geheim-wachtwoord-1"})
    messages = [r.getMessage() for r in _records(caplog)]
    assert messages and "fields=username" in messages[0]
    assert all("Geheim" not in m for m in messages)


def test_valid_input_logs_nothing(client, tenant, caplog):
    with caplog.at_level(logging.INFO, logger="verzuim.security.input"):
        client.get("/help/search/", {"q": "ziekmelden"})
        client.get("/accounts/login/")
    assert _records(caplog) == []


def test_every_form_of_the_portal_logs_refusals():
    """A new form class that skips the base classes is caught here."""
    import importlib
    import inspect
    import pkgutil

    from django import forms

    import verzuim

    missing = []
    for info in pkgutil.walk_packages(verzuim.__path__, "verzuim."):
        if ".migrations" in info.name or info.name.endswith(".settings_test"):
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__ == module.__name__ and issubclass(cls, forms.BaseForm)
                    and not issubclass(cls, core_forms.Form | core_forms.ModelForm)):
                missing.append(f"{cls.__module__}.{cls.__qualname__}")
    assert missing == []
