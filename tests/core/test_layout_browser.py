"""The layout as a person sees it in Chromium: on a 360 px phone and on a desktop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_stylesheet import contrast
from tests.factories import TenantFactory

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("VERZUIM_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                       reason="Browser tests skipped: install Debian's chromium package"),
]


def hex_colour(rgb: list[float]) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


_measurements: dict[str, Any] = {}


@pytest.fixture
def measured(live_server, transactional_db) -> dict[str, Any]:
    """Layout measurements of the login and FAQ pages, taken once (by a separate browser
    process, against the live server) and shared by the tests in this module."""
    if not _measurements:
        TenantFactory(slug="demo", host="localhost", name="Arbodienst Demo")
        result = subprocess.run(
            [sys.executable, "-m", "tests.core.browser_measure", live_server.url, CHROMIUM],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        _measurements.update(json.loads(result.stdout))
    return _measurements


def test_phone_has_one_column_with_help_below_the_content(measured):
    phone = measured["phone"]
    assert phone["scroll_width"] <= 360  # nothing sticks out sideways
    assert phone["sidebar"]["top"] >= phone["main"]["bottom"]
    assert phone["main"]["width"] >= 320


def test_desktop_has_the_help_sidebar_on_the_left(measured):
    desktop = measured["desktop"]
    assert desktop["sidebar"]["right"] <= desktop["main"]["left"]
    assert abs(desktop["sidebar"]["top"] - desktop["main"]["top"]) < 40


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_touch_targets_are_at_least_44_px_high(measured, viewport):
    for selector, box in measured[viewport]["targets"].items():
        assert box is not None, selector
        assert box["height"] >= 43.9, (selector, box)
    assert measured[viewport]["input_font_px"] >= 16  # phones do not zoom into the field


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_skip_link_appears_on_focus_and_moves_focus_to_the_content(measured, viewport):
    m = measured[viewport]
    assert m["skip_link_before"]["bottom"] <= 0  # out of sight until focused
    assert "skip-link" in m["first_tab"]["className"]
    assert m["first_tab"]["top"] >= 0  # now visible
    assert m["after_skip"]["id"] == "main"
    assert m["first_link_in_main"]["tag"] == "A"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_keyboard_focus_is_visible(measured, viewport):
    for key in ("first_tab", "first_link_in_main"):
        focus = measured[viewport][key]
        visible_outline = focus["outlineStyle"] != "none" and focus["outlineWidth"] >= 2
        assert visible_outline or focus["boxShadow"] != "none", (key, focus)


def test_errors_are_not_shown_by_colour_alone(measured):
    m = measured["phone"]
    assert m["error_bar_px"] >= 4
    assert "!" in m["error_icon"]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_text_contrast_meets_wcag_aa(measured, viewport):
    for name, colours in measured[viewport]["colours"].items():
        assert colours is not None, name
        ratio = contrast(hex_colour(colours["fg"]), hex_colour(colours["bg"]))
        assert ratio >= 4.5, (name, colours, round(ratio, 2))
