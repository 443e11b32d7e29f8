"""A server-rendered SVG bar chart for the monthly verzuimpercentage. Pure: plain values in,
markup out; no script and no style attributes (CSP), only presentation attributes and
classes (styled in static/css/portal.css)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 260
LEFT = 48
RIGHT = 12
TOP = 16
BOTTOM = 40


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-9:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _fmt(value: float, decimals: int, separator: str) -> str:
    return f"{value:.{decimals}f}".replace(".", separator)


def trend_svg(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    description: str,
    no_data: str,
    decimal_separator: str = ".",
    ident: str = "trend",
) -> SafeString:
    """Bars for ``points`` ((label, percentage or None when nobody was employed)).

    ``title`` and ``description`` become the SVG's accessible name and description; the
    page also shows the same numbers as a table."""
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    values = [v for _, v in points if v is not None]
    top = nice_ceiling(max(values, default=0.0))
    slot = inner_w / max(len(points), 1)
    bar_w = slot * 0.6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    for i in range(5):
        tick = top * i / 4
        y = TOP + inner_h - inner_h * i / 4
        parts.append(
            f'<line class="trend-grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" '
            f'y2="{y:.1f}" stroke="#d0d5dd" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="trend-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#475467">{_fmt(tick, 1, decimal_separator)}%</text>'
        )
    for i, (label, value) in enumerate(points):
        cx = LEFT + slot * i + slot / 2
        # "Jan 2026" on two lines (month, then year) so twelve labels never run together.
        month, _sep, year = label.rpartition(" ") if " " in label else (label, "", "")
        second = f'<tspan x="{cx:.1f}" dy="13">{escape(year)}</tspan>' if year else ""
        parts.append(
            f'<text class="trend-axis" x="{cx:.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle" font-size="11" fill="#475467">{escape(month)}{second}</text>'
        )
        if value is None:
            parts.append(
                f'<text class="trend-empty" x="{cx:.1f}" y="{TOP + inner_h - 4}" '
                f'text-anchor="middle" font-size="11" fill="#98a2b3">–</text>'
            )
            continue
        h = inner_h * min(value, top) / top
        shown = _fmt(value, 1, decimal_separator)
        parts.append(
            f'<rect class="trend-bar" x="{cx - bar_w / 2:.1f}" y="{TOP + inner_h - h:.1f}" '
            f'width="{bar_w:.1f}" height="{h:.1f}" fill="#1d4ed8">'
            f"<title>{escape(label)}: {shown}%</title></rect>"
        )
        parts.append(
            f'<text class="trend-value" x="{cx:.1f}" y="{TOP + inner_h - h - 4:.1f}" '
            f'text-anchor="middle" font-size="10" fill="#101828">{shown}</text>'
        )
    if not values:
        parts.append(
            f'<text class="trend-empty" x="{LEFT + inner_w / 2:.1f}" y="{TOP + inner_h / 2:.1f}" '
            f'text-anchor="middle" font-size="13" fill="#475467">{escape(no_data)}</text>'
        )
    parts.append(
        f'<line class="trend-baseline" x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - RIGHT}" '
        f'y2="{TOP + inner_h}" stroke="#475467" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
