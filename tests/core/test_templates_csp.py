"""A cheap guard for the Content-Security-Policy: templates carry no inline script or style.

The CSP (script-src 'self', style-src 'self') makes browsers ignore inline code, so an inline
handler would silently not work — and allowing it would reopen the door to XSS. E-mail
templates are exempt: mail clients need inline styles and never run scripts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *sorted((ROOT / "verzuim").glob("*/templates"))]
EXEMPT = [ROOT / "templates" / "emails"]

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""<[a-z][^>]*\sstyle\s*=""", re.IGNORECASE | re.DOTALL)
EVENT_HANDLER = re.compile(r"""<[a-z][^>]*\son[a-z]+\s*=""", re.IGNORECASE | re.DOTALL)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def templates() -> list[Path]:
    found = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            if not any(path.is_relative_to(exempt) for exempt in EXEMPT):
                found.append(path)
    return sorted(found)


def problems(source: str) -> list[str]:
    found = []
    for match in SCRIPT_TAG.finditer(source):
        attributes, content = match.groups()
        if content.strip():
            found.append(f"inline script: {content.strip()[:60]!r}")
        if "src=" not in attributes:
            found.append("script without src")
    if STYLE_ELEMENT.search(source):
        found.append("<style> element")
    found += [f"style attribute: {m.group(0)[-60:]!r}" for m in STYLE_ATTRIBUTE.finditer(source)]
    found += [f"event handler: {m.group(0)[-60:]!r}" for m in EVENT_HANDLER.finditer(source)]
    found += [f"javascript: URL: {m.group(0)!r}" for m in JAVASCRIPT_URL.finditer(source)]
    return found


def test_there_are_templates_to_check():
    names = {p.relative_to(ROOT).as_posix() for p in templates()}
    assert {"templates/base.html", "templates/errors/error.html"} <= names
    assert not any(name.startswith("templates/emails/") for name in names)


@pytest.mark.parametrize("path", templates(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_template_has_no_inline_script_or_style(path: Path):
    assert problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("source", [
    '<script>alert(1)</script>',
    '<script nonce="{{ request.csp_nonce }}">go()</script>',
    '<script type="module">\n  init();\n</script>',
    '<div style="color:red">',
    '<p class="x"\n   style = "display:none">',
    '<button onclick="go()">',
    '<body onload="go()">',
    '<a href="javascript:go()">',
    '<style>p{}</style>',
])
def test_the_guard_catches_inline_code(source: str):
    assert problems(source)


@pytest.mark.parametrize("source", [
    '<script src="{% static \'js/webauthn.js\' %}" defer></script>',
    '<p class="onboarding">',
    '<input data-style="x" name="online">',
])
def test_the_guard_lets_external_scripts_and_lookalikes_pass(source: str):
    assert problems(source) == []
