"""Property-based fuzzing of every query parameter and every path parameter.

Query strings: for every page in fuzz_inventory.QUERIES (each parameter the source reads
with ``request.GET`` is fuzzed on at least one page; test_fuzz_inventory.py holds the table
to the source), Hypothesis sends hostile values (arbitrary Unicode, control characters, NUL,
CR/LF, 10k–100k characters, out-of-range numbers, malformed dates, repeated keys, broken
percent-encoding, unexpected extra parameters).

Path parameters: every URL pattern with a converter (ids, tokens, slugs, kinds) gets
hostile segments: huge and negative-looking ids, tokens of arbitrary Unicode, overlong
segments.

Properties, per example: never a server error (500), never a traceback in the body, and a
GET changes nothing in the database beyond fuzz_support.REFUSAL_MAY_CHANGE (audit rows,
error-page references, the session store) and what the page writes by design
(``QueryTarget.writes``).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.security.fuzz_inventory import POST_ONLY, QUERIES, path_state, query_params
from tests.security.fuzz_support import (  # noqa: F401  (_fuzz_example_report: autouse)
    FUZZ_PATH,
    FUZZ_QUERY,
    _fuzz_example_report,
    all_routes,
    assert_no_server_error,
    assert_refusal_changed_nothing,
    count_example,
    forbidden_changes,
    fuzz_world,  # noqa: F401  (the module's world, used by ``fw``)
    fw,  # noqa: F401  (fixture)
    hostile_text,
    overlong,
    run_rolled_back,
)

pytestmark = pytest.mark.django_db

#: Percent-encoding a browser would never send: invalid UTF-8, truncated escapes, NUL.
RAW_QUERY_TAILS = ["%ff%fe", "%", "%zz", "%00", "%c0%af", "&&&", "=&=", "a=%ed%a0%80", "%u202e"]


def query_strings(params: list[str]) -> st.SearchStrategy[str]:
    value = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))
    known = st.dictionaries(st.sampled_from(params), value, min_size=1)
    extra = st.dictionaries(st.text(min_size=1, max_size=10), hostile_text, max_size=2)
    tail = st.one_of(st.just(""), st.sampled_from(RAW_QUERY_TAILS).map(lambda t: "&" + t))
    return st.tuples(known, extra, tail).map(
        lambda t: urlencode({**t[1], **t[0]}, doseq=True) + t[2]
    )


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_hostile_query_strings_never_fail_or_change_state(name, fw):  # noqa: F811
    target = QUERIES[name]
    params = query_params(target)
    client = fw.client(target.state)
    assert client.get(target.path, HTTP_HOST=target.host).status_code < 500

    @FUZZ_QUERY
    @given(query_strings(params))
    def fuzz(query: str) -> None:
        count_example(f"query {name}")
        url = f"{target.path}?{query}"
        outcome = run_rolled_back(client, lambda c: c.get(url, HTTP_HOST=target.host))
        what = f"GET {url[:300]} as {target.state}"
        assert_no_server_error(outcome, what)
        stray = {
            k: v for k, v in forbidden_changes(outcome.changes).items() if k not in target.writes
        }
        assert not stray, f"{what} changed {stray}"

    fuzz()


# --- path parameters -------------------------------------------------------------------------

PATH_ROUTES = sorted((r for r in all_routes() if "<" in r.route), key=lambda r: r.name)


def segment(converter: str) -> st.SearchStrategy[str]:
    """A hostile value for one path parameter, percent-encoded as a browser would."""
    text = st.one_of(hostile_text, overlong(300, 5_000)).filter(lambda s: s != "")
    if converter == "int":
        # Never an existing row: the world's ids are small (the property is "no 500 and no
        # change", and some of these URLs change state when the id is real).
        return st.one_of(
            st.integers(10**6, 10**30).map(str),
            st.sampled_from(["0", "0" * 30, "9" * 400]),
        )
    if converter == "slug":
        return st.one_of(st.from_regex(r"[-a-zA-Z0-9_]{1,300}", fullmatch=True), text).map(
            lambda s: quote(s, safe="")
        )
    return text.map(lambda s: quote(s, safe=""))


def path_strategy(route: str) -> st.SearchStrategy[str]:
    import re

    parts = re.split(r"(<[^>]+>)", route)
    pieces = []
    for part in parts:
        if part.startswith("<"):
            converter = part[1:-1].split(":")[0] if ":" in part else "str"
            pieces.append(segment(converter))
        else:
            pieces.append(st.just(part))
    return st.tuples(*pieces).map(lambda t: "/" + "".join(t))


@pytest.mark.parametrize("route", PATH_ROUTES, ids=lambda r: r.name)
def test_hostile_path_parameters_never_fail_or_change_state(route, fw):  # noqa: F811
    state = path_state(route.name)
    client = fw.client(state)
    method = "post" if route.name in POST_ONLY else "get"

    @FUZZ_PATH
    @given(path_strategy(route.route))
    def fuzz(path: str) -> None:
        count_example(f"path {route.name}")
        outcome = run_rolled_back(client, lambda c: getattr(c, method)(path))
        what = f"{method.upper()} {path[:300]} as {state}"
        assert_no_server_error(outcome, what)
        assert_refusal_changed_nothing(outcome, what)

    fuzz()
