from __future__ import annotations

import logging

from django.utils import translation

from verzuim.core.logging import RequestContextFilter, safe_for_log
from verzuim.core.reference import current_reference
from verzuim.core.timefmt import humanise_seconds


def test_safe_for_log_stops_forged_log_lines():
    forged = "/login\n2026-01-01 INFO accounts login ok user=admin"
    text = safe_for_log(forged)
    assert "\n" not in text and "\\n" in text
    assert "\r" not in safe_for_log("a\rb") and "\x1b" not in safe_for_log("\x1b[31m")
    assert len(safe_for_log("x" * 1000)) == 200


def test_log_records_carry_the_current_reference():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "msg", None, None)
    token = current_reference.set("K7QM-2XDA")
    try:
        assert RequestContextFilter().filter(record) is True
    finally:
        current_reference.reset(token)
    assert record.reference == "K7QM-2XDA"  # type: ignore[attr-defined]

    RequestContextFilter().filter(record)
    assert record.reference == "-"  # type: ignore[attr-defined]  # outside a request


def test_humanise_seconds_rounds_up_and_never_says_zero():
    with translation.override("en"):
        assert humanise_seconds(0) == "1 second"
        assert humanise_seconds(45) == "45 seconds"
        assert humanise_seconds(60) == "1 minute"
        assert humanise_seconds(61) == "2 minutes"
        assert humanise_seconds(600) == "10 minutes"


def test_log_lines_carry_an_iso_time_with_its_offset(settings):
    import logging
    import re

    config = settings.LOGGING["formatters"]["plain"]
    formatter = logging.Formatter(config["format"], config["datefmt"])
    record = logging.LogRecord("verzuim", logging.INFO, __file__, 1, "hello", None, None)
    record.reference = "-"
    line = formatter.format(record)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} INFO verzuim \[ref=-\] hello$", line)
