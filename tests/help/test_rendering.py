from __future__ import annotations

from verzuim.help.rendering import render_markdown


def test_markdown_is_rendered():
    html = render_markdown("**bold** and a [link](/help/faq/#inloggen)\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert '<a href="/help/faq/#inloggen" rel="noopener noreferrer">link</a>' in html
    assert "<li>one</li>" in html


def test_script_tags_are_removed_with_their_content():
    html = render_markdown("Hello <script>alert('x')</script> there\n\n<script>evil()</script>")
    assert "<script" not in html
    assert "alert" not in html
    assert "evil" not in html


def test_javascript_links_lose_their_href():
    html = render_markdown("[click](javascript:alert(1)) <a href='JavaScript:alert(2)'>x</a>")
    assert "javascript" not in html.lower()
    assert "alert" not in html


def test_event_handler_and_style_attributes_are_removed():
    html = render_markdown(
        '<a href="/help/" onclick="steal()" style="color:red">x</a><p onmouseover="steal()">y</p>'
    )
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "steal" not in html
    assert "style" not in html
    assert 'href="/help/"' in html


def test_raw_html_outside_the_allow_list_is_removed():
    html = render_markdown(
        '<iframe src="https://evil.example"></iframe>\n\n<div class="x">text</div>\n\n'
        '<img src="https://evil.example/t.png" onerror="x()">\n\n<form action="/x"><input></form>'
        "\n\n<style>body{}</style>"
    )
    for tag in ("<iframe", "<div", "<img", "<form", "<input", "<style", "onerror"):
        assert tag not in html
    assert "text" in html


def test_external_links_get_rel_noopener():
    html = render_markdown("[site](https://example.org/)")
    assert 'rel="noopener noreferrer"' in html
