"""The fuzz suite covers the whole portal, and keeps doing so when the portal grows.

* every URL pattern (walked from the resolver; of the Django admin only its login, which
  redirects to the portal's own) is fuzzed (a POST form, a query string, a path parameter,
  a JSON endpoint) or listed in fuzz_inventory.NOT_FUZZED with the reason;
* every URL pattern is a page that is visited (fuzz_inventory.VISITS) or listed in
  NOT_VISITED with the reason, and every <form> on every visited page is fuzzed: POST
  forms in FORMS, GET forms' fields among their page's fuzzed query parameters;
* every function in the source that reads ``request.GET`` is in GET_READS with exactly the
  keys and forms it reads, and each of those parameters is fuzzed on some page (QUERIES).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.security.fuzz_inventory import (
    FORMS,
    GET_READS,
    JSON_ENDPOINTS,
    NOT_FUZZED,
    NOT_VISITED,
    QUERIES,
    SCRIPT_FORMS,
    VISITS,
    query_params,
)
from tests.security.fuzz_support import (
    all_routes,
    fuzz_world,  # noqa: F401  (the module's world, used by ``fw``)
    fw,  # noqa: F401  (fixture)
    parse_forms,
    run_rolled_back,
    url_name_of,
)

SOURCE = Path(__file__).resolve().parents[2] / "verzuim"


def route_names() -> set[str]:
    return {r.name for r in all_routes()}


def test_every_url_pattern_is_fuzzed_or_says_why_not():
    routes = route_names()
    with_path_parameters = {r.name for r in all_routes() if "<" in r.route}
    queried = {name.split("@")[0] for name in QUERIES}
    fuzzed = set(FORMS) | queried | set(JSON_ENDPOINTS) | with_path_parameters
    tables = fuzzed | set(NOT_FUZZED) | set(VISITS) | set(NOT_VISITED)
    assert not tables - routes, f"tables name URLs that do not exist: {tables - routes}"
    unfuzzed = sorted(routes - fuzzed - set(NOT_FUZZED))
    assert not unfuzzed, f"URL patterns neither fuzzed nor in NOT_FUZZED: {unfuzzed}"
    assert not fuzzed & set(NOT_FUZZED), f"fuzzed after all: {fuzzed & set(NOT_FUZZED)}"
    assert len(routes) > 80  # the walk saw the whole portal


def test_every_url_pattern_is_visited_for_its_forms_or_says_why_not():
    routes = route_names()
    missing = routes - set(VISITS) - set(NOT_VISITED)
    assert not missing, f"URL patterns neither visited nor in NOT_VISITED: {sorted(missing)}"
    assert not set(VISITS) & set(NOT_VISITED)


@pytest.mark.django_db
def test_every_form_on_every_page_is_fuzzed(fw):  # noqa: F811
    post_targets: set[str] = set()
    problems = []
    for name, visits in VISITS.items():
        for visit in visits:
            path = visit.path(fw)
            # Rolled back: a visit that posts (new backup codes) must not change the next.
            outcome = run_rolled_back(fw.client(visit.state), lambda c, v=visit: v.get(fw))
            response = outcome.response
            assert response.status_code < 500, (name, path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in parse_forms(path, response.content.decode()):
                target = form.url_name
                if form.method == "post":
                    post_targets.add(target)
                    if target not in FORMS:
                        problems.append(f"{path}: POST form to {target} is not in FORMS")
                elif target in SCRIPT_FORMS:
                    assert SCRIPT_FORMS[target] in JSON_ENDPOINTS
                else:
                    fields = set(form.fields) - {"csrfmiddlewaretoken"}
                    fuzzed = {
                        p
                        for key, q in QUERIES.items()
                        if key.split("@")[0] == target
                        for p in query_params(q)
                    }
                    if not fields <= fuzzed:
                        problems.append(
                            f"{path}: GET form to {target}: {sorted(fields - fuzzed)} not fuzzed"
                        )
    assert not problems, "\n".join(problems)
    assert post_targets == set(FORMS), (
        f"FORMS lists forms no page shows: {set(FORMS) - post_targets}"
    )
    assert url_name_of("/accounts/login/") == "accounts:login"


def get_reads_in_source() -> dict[str, tuple[set[str], set[str], bool]]:
    """``module:function`` → (keys read by name, forms bound to the query, whole query used)
    for every ``<anything>.GET`` in verzuim/ (migrations aside)."""
    found: dict[str, tuple[set[str], set[str], bool]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts)
        tree = ast.parse(path.read_text(), str(path))
        parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr == "GET"):
                continue
            chain, up = [], parents.get(node)
            while up is not None:
                if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    chain.append(up.name)
                up = parents.get(up)
            key = f"{module}:{'.'.join(reversed(chain))}"
            keys, forms, whole = found.get(key, (set(), set(), False))
            parent = parents.get(node)
            grand = parents.get(parent) if parent is not None else None
            if (
                isinstance(parent, ast.Attribute)
                and parent.attr == "get"
                and isinstance(grand, ast.Call)
                and grand.args
                and isinstance(grand.args[0], ast.Constant)
            ):
                keys.add(grand.args[0].value)
            elif isinstance(parent, ast.Subscript) and isinstance(parent.slice, ast.Constant):
                keys.add(parent.slice.value)
            else:
                call = parent
                while call is not None and not isinstance(call, ast.Call):
                    call = parents.get(call)
                func = call.func if isinstance(call, ast.Call) else None
                name = getattr(func, "id", None) or getattr(func, "attr", "")
                if name and name[0].isupper():
                    forms.add(name)
                else:
                    whole = True
            found[key] = (keys, forms, whole)
    return found


def test_every_query_parameter_read_in_the_source_is_fuzzed():
    source = get_reads_in_source()
    assert set(source) == set(GET_READS), (
        f"read in the source but not in GET_READS: {sorted(set(source) - set(GET_READS))}; "
        f"in GET_READS but not read: {sorted(set(GET_READS) - set(source))}"
    )
    for key, (keys, forms, whole) in source.items():
        table = GET_READS[key]
        assert keys == set(table.keys), (key, keys, table.keys)
        assert forms == {f.rsplit(".", 1)[1] for f in table.forms}, (key, forms, table.forms)
        assert whole == table.whole, (key, whole)
    covered = {read for target in QUERIES.values() for read in target.reads}
    assert covered == set(GET_READS), f"never fuzzed: {set(GET_READS) - covered}"
    total = {p for target in QUERIES.values() for p in query_params(target)}
    assert {"next", "q", "page", "tenant", "format", "date_from"} <= total
