"""Measure the layout in a real browser; run as ``python -m tests.core.browser_measure URL``.

Runs in its own process (Playwright's sync API keeps an event loop in its thread, which must
not clash with the browser scenarios in tests/browser). Prints one JSON object.
"""

from __future__ import annotations

import json
import sys
from typing import Any

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# Effective colours of an element: its text colour and the first opaque background behind it.
COLOURS_JS = """
(selector) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const parse = (c) => c.match(/[\\d.]+/g).map(Number);
  let node = el, bg = null;
  while (node) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length < 4 || c[3] > 0) { bg = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  return {fg: parse(getComputedStyle(el).color).slice(0, 3), bg: bg || [255, 255, 255]};
}
"""

BOX_JS = """
(selector) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          width: r.width, height: r.height};
}
"""

FOCUS_JS = """
() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {className: el.className, tag: el.tagName, id: el.id,
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
          boxShadow: s.boxShadow, top: r.top, bottom: r.bottom};
}
"""

TEXT_SELECTORS = {
    "disclosure": "details summary",
    "heading": "h1",
    "label": ".field label",
    "hint": ".hint",
    "sidebar link": ".help-links a",
    "sidebar text": ".contact",
    "footer": ".footer-name",
    "primary button": "button.primary",
    "field error": ".field-error p",
}
TARGET_SELECTORS = ["#id_username", "#id_password", "button.primary", ".lang-switch button",
                    ".login-failed summary, details summary", ".help-links a"]


def measure(base_url: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=sys.argv[2], args=CHROMIUM_ARGS)
        for name, (width, height) in {"phone": (360, 740), "desktop": (1280, 900)}.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            out: dict[str, Any] = {}

            page.goto(base_url + "/help/faq/")
            out["skip_link_before"] = page.evaluate(BOX_JS, ".skip-link")
            page.keyboard.press("Tab")
            out["first_tab"] = page.evaluate(FOCUS_JS)
            page.keyboard.press("Enter")
            out["after_skip"] = page.evaluate(FOCUS_JS)
            page.keyboard.press("Tab")
            out["first_link_in_main"] = page.evaluate(FOCUS_JS)

            page.goto(base_url + "/accounts/login/")
            page.click("button.primary")  # empty form: both fields in error
            page.wait_for_selector(".field-error")
            out["main"] = page.evaluate(BOX_JS, "main")
            out["sidebar"] = page.evaluate(BOX_JS, ".sidebar")
            out["scroll_width"] = page.evaluate("document.documentElement.scrollWidth")
            out["targets"] = {s: page.evaluate(BOX_JS, s) for s in TARGET_SELECTORS}
            out["input_font_px"] = page.evaluate(
                "parseFloat(getComputedStyle(document.querySelector('#id_username')).fontSize)")
            out["error_bar_px"] = page.evaluate(
                "parseFloat(getComputedStyle(document.querySelector('.has-error'))"
                ".borderLeftWidth)")
            out["error_icon"] = page.evaluate(
                "getComputedStyle(document.querySelector('.field-error p'), '::before').content")
            out["colours"] = {k: page.evaluate(COLOURS_JS, s) for k, s in TEXT_SELECTORS.items()}
            results[name] = out
            page.close()
        browser.close()
    return results


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
