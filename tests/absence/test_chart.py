"""The server-rendered trend chart: valid, accessible, escaped SVG without script or style."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from verzuim.absence.chart import nice_ceiling, trend_svg

SVG = "{http://www.w3.org/2000/svg}"


def render(points, **kwargs):
    return trend_svg(
        points,
        title="Absence per month",
        description="Bars per month",
        no_data="No data",
        **kwargs,
    )


def test_one_bar_per_month_with_height_in_proportion():
    markup = render([("Jan", 2.0), ("Feb", 4.0), ("Mar", None)])
    root = ET.fromstring(markup)
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 2  # the month without employees has no bar
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert [b.find(f"{SVG}title").text for b in bars] == ["Jan: 2.0%", "Feb: 4.0%"]


def test_accessible_name_and_description():
    root = ET.fromstring(render([("Jan", 1.5)]))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "trend-title trend-desc"
    assert root.find(f"{SVG}title").text == "Absence per month"
    assert root.find(f"{SVG}desc").text == "Bars per month"


def test_labels_are_escaped_and_no_script_or_style():
    markup = render([("<script>alert(1)</script>", 3.0)], decimal_separator=",")
    assert "<script" not in markup
    assert "&lt;script&gt;" in markup
    assert not re.search(r"\sstyle=", markup)
    assert "3,0%" in markup  # Dutch decimal comma when asked


def test_all_months_empty_says_so():
    root = ET.fromstring(render([("Jan", None), ("Feb", None)]))
    assert root.findall(f"{SVG}rect") == []
    assert "No data" in [t.text for t in root.iter(f"{SVG}text")]


def test_zero_absence_draws_flat_bars_on_a_1_percent_axis():
    root = ET.fromstring(render([("Jan", 0.0)]))
    assert float(root.find(f"{SVG}rect").get("height")) == 0
    assert "1.0%" in [t.text for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (0.4, 1), (1.2, 2), (2.3, 2.5), (4.4, 5), (7, 10), (12, 20), (100, 100)],
)
def test_nice_ceiling(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_month_and_year_on_two_lines_so_twelve_labels_fit():
    points = [(f"M{i} 2026", 1.0) for i in range(1, 13)]
    root = ET.fromstring(render(points))
    labels = [t for t in root.findall(f"{SVG}text") if t.get("class") == "trend-axis"]
    months = [t for t in labels if t.text and t.text.startswith("M")]
    assert [t.text for t in months] == [f"M{i}" for i in range(1, 13)]
    years = [t.find(f"{SVG}tspan") for t in months]
    assert all(y is not None and y.text == "2026" and y.get("dy") == "13" for y in years)
