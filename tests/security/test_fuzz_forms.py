"""Property-based fuzzing of every POST form of the portal.

For each form (found on the page that renders it, as the user who sees it; the inventory
in fuzz_inventory.FORMS is checked against every page by test_fuzz_inventory.py), Hypothesis
posts hostile submissions: arbitrary Unicode, control characters, NUL, CR/LF, bidi marks,
10k–100k character strings, out-of-range numbers, malformed dates, empty and missing
fields, repeated keys, text where a file belongs, files of the wrong type, unexpected extra
fields; both as multipart and as urlencoded bodies.

Properties, per example:

* never a server error (500) and never a traceback in the body;
* *poisoned* submissions, in which one field is certainly invalid by that field's own rules
  (its HTML constraints: required, maxlength, options, date/number/e-mail syntax; NUL, which
  every Django field refuses; or the table's choices), are refused and change nothing in
  the database except what fuzz_support.REFUSAL_MAY_CHANGE allows (audit rows, error-page
  references, throttle and failure counters, the session store);
* forms without input of their own (buttons such as "log out" or "make new backup codes")
  do exactly what a clean click does, whatever junk fields come along.

Every example runs in a savepoint that is rolled back, so examples do not see each other.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.security.fuzz_inventory import FORMS
from tests.security.fuzz_support import (  # noqa: F401  (_fuzz_example_report: autouse)
    FUZZ,
    Outcome,
    Submission,
    _fuzz_example_report,
    assert_no_server_error,
    assert_refusal_changed_nothing,
    base_submission,
    count_example,
    extra_fields,
    forbidden_changes,
    fuzz_world,  # noqa: F401  (the module's world, used by ``fw``)
    fw,  # noqa: F401  (fixture)
    poisonable,
    row_deltas,
    run_rolled_back,
    submissions,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(FORMS))
def test_hostile_posts_never_fail_and_refusals_change_nothing(name, fw):  # noqa: F811
    target = FORMS[name]
    variants = target.variants(fw, name)
    assert variants, f"no form posting to {name} on {[v.path(fw) for v in target.visits]}"
    clients = {state: fw.client(state) for state, _form in variants}
    # What a clean click on each input-less form does, to compare the fuzzed clicks with.
    clean: dict[int, dict[str, Any]] = {}
    for i, (state, form) in enumerate(variants):
        if not poisonable(form, target.rules):
            outcome = run_rolled_back(
                clients[state], lambda c, f=form: c.post(f.action, f.valid_looking())
            )
            assert_no_server_error(outcome, f"{name}: clean post")
            clean[i] = row_deltas(outcome.changes)

    # The baseline is accepted as it is: then a refused poisoned example is refused for its
    # poisoned field.
    baseline = target.valid(fw) if target.valid else None
    if baseline is not None:
        for state, form in variants:
            if poisonable(form, target.rules):
                data = base_submission(form, baseline)
                control = run_rolled_back(
                    clients[state],
                    lambda c, d=data, f=form: Submission(d, "", False).send(c, f.action),
                )
                assert accepted(control), (
                    f"{name}: the baseline was refused ({control.status})\n{control.body[:3000]!r}"
                )

    def examples_of(i: int) -> st.SearchStrategy[Submission]:
        state, form = variants[i]
        if i in clean:
            return extra_fields.map(
                lambda extra: Submission({**extra, **form.valid_looking()}, "", False)
            )
        # Three in four examples poisoned (certainly invalid), the rest hostile but free.
        poisoned = submissions(form, target.rules, poisoned=True, baseline=baseline)
        free = submissions(form, target.rules, poisoned=False)
        return st.one_of(poisoned, poisoned, poisoned, free)

    examples = st.one_of(*[st.tuples(st.just(i), examples_of(i)) for i in range(len(variants))])

    @FUZZ
    @given(examples)
    def fuzz(example: tuple[int, Submission]) -> None:
        i, submission = example
        state, form = variants[i]
        count_example(f"form {name}")
        outcome = run_rolled_back(clients[state], lambda c: submission.send(c, form.action))
        what = f"POST {form.action} as {state}"
        assert_no_server_error(outcome, what)
        if i in clean:
            assert row_deltas(outcome.changes) == clean[i], (
                f"{what}: junk fields changed what the button does"
            )
        elif submission.poisoned:
            assert_refusal_changed_nothing(outcome, f"{what} with {submission.poisoned!r} invalid")

    fuzz()


def accepted(outcome: Outcome) -> bool:
    """A redirect after success, a download, or a change a refusal may not make."""
    return (
        outcome.status in (301, 302, 303)
        or "attachment" in outcome.response.get("Content-Disposition", "")
        or bool(forbidden_changes(outcome.changes))
    )
