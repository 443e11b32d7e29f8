"""The stylesheet: self-contained (the CSP allows nothing else) and readable (WCAG 2.1 AA)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static" / "css" / "portal.css").read_text(encoding="utf-8")


def root_colours() -> dict[str, str]:
    block = re.search(r":root\s*\{(.*?)\}", CSS, re.DOTALL)
    assert block, "portal.css defines its colours in :root"
    return dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})\s*;", block.group(1)))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (foreground, background) as used in portal.css; "#ffffff" is white text on a button/icon.
TEXT_PAIRS = [
    ("text", "surface"), ("text", "bg"), ("text", "side-bg"), ("text", "info-bg"),
    ("text", "error-bg"), ("text", "warning-bg"), ("text", "success-bg"), ("text", "focus-halo"),
    ("muted", "surface"), ("muted", "bg"), ("muted", "side-bg"), ("muted", "info-bg"),
    ("link", "surface"), ("link", "bg"), ("link", "side-bg"), ("link", "info-bg"),
    ("link-hover", "surface"), ("primary", "surface"), ("primary-dark", "info-bg"),
    ("error", "surface"), ("error", "error-bg"),
    ("#ffffff", "primary"), ("#ffffff", "primary-dark"), ("#ffffff", "error"),
    ("#ffffff", "warning"), ("#ffffff", "success"),
]
# Borders of inputs and the focus ring are user-interface components: at least 3:1.
UI_PAIRS = [("control-border", "surface"), ("focus", "surface"), ("focus", "bg"),
            ("error", "surface")]


def colour(name: str) -> str:
    return name if name.startswith("#") else root_colours()[name]


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS, ids=lambda v: v)
def test_text_contrast_is_at_least_4_5(fg: str, bg: str):
    assert contrast(colour(fg), colour(bg)) >= 4.5


@pytest.mark.parametrize(("fg", "bg"), UI_PAIRS, ids=lambda v: v)
def test_control_contrast_is_at_least_3(fg: str, bg: str):
    assert contrast(colour(fg), colour(bg)) >= 3


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just fails AA


def test_stylesheet_loads_nothing_from_elsewhere():
    assert "@import" not in CSS
    assert "@font-face" not in CSS  # system fonts only
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", CSS)


def test_focus_is_never_hidden():
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid", CSS)
    # Removing the outline is allowed only for the skip link's target (main), never globally.
    without_comments = re.sub(r"/\*.*?\*/", "", CSS, flags=re.DOTALL)
    for selector, rules in re.findall(r"([^{}]+)\{([^}]*)\}", without_comments):
        if re.search(r"outline:\s*(none|0)\b", rules):
            assert selector.strip() == "main:focus", selector


def test_default_logo_mark_is_a_small_self_contained_svg():
    svg = (ROOT / "static" / "img" / "logo-mark.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and len(svg) < 2000
    assert "<script" not in svg and "href" not in svg
