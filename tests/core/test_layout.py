"""The shared layout and form snippets, as a screen-reader or keyboard user meets them."""

from __future__ import annotations

import re

from tests.core.pages import body, shown


def test_page_starts_with_a_skip_link_to_the_main_content(client, tenant):
    html = body(client.get("/accounts/login/"))

    first_link = re.search(r"<a\b[^>]*>", html)
    assert first_link and 'class="skip-link" href="#main"' in first_link.group(0)
    assert '<main id="main" class="content" tabindex="-1">' in html
    assert re.search(r'<html lang="[a-z]{2}">', html)


def test_content_comes_before_the_help_sidebar(client, tenant):
    """On a phone the help sidebar sits below the content, so it follows it in reading order."""
    html = body(client.get("/accounts/login/"))
    assert html.index('id="main"') < html.index('class="sidebar"')
    assert f'aria-label="{shown("Help")}"' in html
    assert 'href="/help/faq/#geen-sms"' in html


def test_field_errors_are_tied_to_their_inputs(client, tenant):
    response = client.post("/accounts/login/", {"username": "", "password": ""})

    html = body(response)
    for name in ("username", "password"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag
        described_by = re.search(r'aria-describedby="([^"]+)"', tag).group(1)
        for element_id in described_by.split():
            assert f'id="{element_id}"' in html, element_id
        assert f'id="id_{name}_error"' in html
    assert html.count('class="field has-error"') == 2
    assert shown("This field is required.") in html


def test_help_text_is_tied_to_its_input(client, tenant, hr_user, password):
    client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    html = body(client.get("/accounts/verify/backup-code/"))

    tag = re.search(r'<input[^>]*name="code"[^>]*>', html).group(0)
    assert 'aria-describedby="id_code_helptext"' in tag
    assert 'class="help-text" id="id_code_helptext"' in html


def test_logged_in_layout_offers_log_out(logged_in_client, hr_user):
    html = body(logged_in_client(hr_user).get("/"))
    assert hr_user.get_full_name() in html
    assert 'action="/accounts/logout/"' in html
