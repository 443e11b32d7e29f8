"""Property-based fuzzing of the JSON endpoints of security keys and of the file uploads.

WebAuthn (``static/js/webauthn.js`` posts JSON): arbitrary JSON documents, JSON that is not
an object, credentials of the right shape with junk (also the real key's id with a junk
signature), and bodies that are no JSON at all (random bytes, invalid UTF-8, truncated
JSON, form and multipart content types). Each verify example first asks for options, so the
junk reaches the signature check and not only the "no challenge" answer.

Uploads (the case document, the payroll import, the support screenshot): random bytes
under arbitrary, wrong and 300–5000 character names and content types, with every other
field valid, so the file is what is refused; and payroll files with a valid header and
hostile rows.

Properties, per example: never a server error (500) or traceback; the JSON endpoints answer
JSON; a refused request changes nothing beyond fuzz_support.REFUSAL_MAY_CHANGE. A control
per upload shows the same post with a valid file is accepted, so the refusals are the
file's.
"""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from tests.absence.case_world import PDF
from tests.security.fuzz_inventory import JSON_ENDPOINTS
from tests.security.fuzz_support import (  # noqa: F401  (_fuzz_example_report: autouse)
    FUZZ,
    SPECIALS,
    _fuzz_example_report,
    assert_no_server_error,
    assert_refusal_changed_nothing,
    count_example,
    forbidden_changes,
    fuzz_world,  # noqa: F401  (the module's world, used by ``fw``)
    fw,  # noqa: F401  (fixture)
    hostile_text,
    junk_upload,
    run_rolled_back,
)

pytestmark = [
    pytest.mark.django_db,
    # Hypothesis describes the large hostile-text strategies when it reports a failure.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

URLS = {
    "mfa:webauthn-auth-options": "/accounts/verify/key/options/",
    "mfa:webauthn-auth-verify": "/accounts/verify/key/verify/",
    "mfa:webauthn-register-options": "/accounts/verify/key/add/options/",
    "mfa:webauthn-register-verify": "/accounts/verify/key/add/verify/",
}
OPTIONS_FIRST = {
    "mfa:webauthn-auth-verify": "mfa:webauthn-auth-options",
    "mfa:webauthn-register-verify": "mfa:webauthn-register-options",
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | hostile_text,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=10,
)
b64ish = st.one_of(st.binary(max_size=200).map(b64), hostile_text, json_values)


def credentials(real_id: str) -> st.SearchStrategy[object]:
    response = st.fixed_dictionaries(
        {},
        optional={
            "clientDataJSON": st.one_of(
                b64ish,
                st.builds(
                    lambda t, c, o: b64(
                        json.dumps({"type": t, "challenge": c, "origin": o}).encode()
                    ),
                    st.sampled_from(["webauthn.get", "webauthn.create"]) | hostile_text,
                    b64ish,
                    st.sampled_from(["http://testserver", "https://evil.example"]) | hostile_text,
                ),
            ),
            "authenticatorData": b64ish,
            "signature": b64ish,
            "userHandle": b64ish,
            "attestationObject": b64ish,
            "transports": json_values,
        },
    )
    return st.one_of(
        json_values,
        st.fixed_dictionaries(
            {},
            optional={
                "id": st.one_of(st.just(real_id), b64ish),
                "rawId": st.one_of(st.just(real_id), b64ish),
                "type": st.sampled_from(["public-key", ""]) | hostile_text,
                "response": st.one_of(response, json_values),
                "clientExtensionResults": json_values,
                "authenticatorAttachment": hostile_text,
            },
        ),
    )


def bodies(real_id: str) -> st.SearchStrategy[tuple[bytes, str]]:
    payload = st.fixed_dictionaries(
        {},
        optional={
            "purpose": st.sampled_from(["login", "reauth", "register"]) | hostile_text,
            "credential": credentials(real_id),
            "name": st.one_of(hostile_text, json_values),
            "trust_device": json_values,
        },
    )
    as_json = st.one_of(payload, json_values).map(lambda v: json.dumps(v).encode())
    not_json = st.one_of(
        st.binary(max_size=500),
        st.sampled_from([b"", b"{", b'{"purpose":', b"\xff\xfe{}", b"[]", b"null", b'"x"']),
        st.text(max_size=100).map(lambda t: t.encode("utf-8")),
        st.sampled_from(SPECIALS).map(lambda t: t.encode("utf-8")),
    )
    content_type = st.sampled_from(
        [
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "application/json; charset=latin-1",
        ]
    )
    return st.tuples(st.one_of(as_json, as_json, not_json), content_type)


@pytest.mark.parametrize(
    ("name", "state"),
    [(name, state) for name, states in sorted(JSON_ENDPOINTS.items()) for state in states],
)
def test_hostile_json_never_fails_and_is_refused_without_change(name, state, fw):  # noqa: F811
    client = fw.client(state)
    real_id = fw.users["key_user"].webauthn_credentials.get().credential_id
    real_id = real_id if isinstance(real_id, str) else b64(bytes(real_id))
    purpose = "reauth" if state == "key_user" else "login"

    @FUZZ
    @given(bodies(real_id), st.booleans())
    def fuzz(body: tuple[bytes, str], options_first: bool) -> None:
        count_example(f"json {name} as {state}")
        data, content_type = body

        def send(c):
            if options_first and name in OPTIONS_FIRST:
                c.post(
                    URLS[OPTIONS_FIRST[name]],
                    json.dumps({"purpose": purpose}),
                    content_type="application/json",
                )
            # generic(): the bytes as they are, whatever charset the header claims.
            return c.generic("POST", URLS[name], data, content_type=content_type)

        outcome = run_rolled_back(client, send)
        what = f"POST {URLS[name]} as {state} ({content_type}) {data[:200]!r}"
        assert_no_server_error(outcome, what)
        if outcome.status in (200, 400, 403):
            reply = json.loads(outcome.body)
            assert isinstance(reply, dict), what
        if name in OPTIONS_FIRST:
            assert_refusal_changed_nothing(outcome, what)
        else:
            # Options only put a challenge into the session.
            assert not forbidden_changes(outcome.changes), what

    fuzz()


# --- uploads -----------------------------------------------------------------------------------


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, "PNG")
    return buffer.getvalue()


IMPORT_HEADER = "personeelsnummer;voornaam;achternaam;startdatum;contracturen;fulltime-uren"


def upload_cases(world):
    case = world.ids["case"]
    return {
        "case document": (
            "hr",
            f"/verzuim/trajecten/{case}/documenten/nieuw/",
            {"kind": "action_plan", "confidentiality": "employer"},
            "file",
            lambda: SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
            "absence.casedocument",
        ),
        "payroll import": (
            "hr",
            "/verzuim/import/",
            {"employer": str(world.ids["employer"])},
            "file",
            lambda: SimpleUploadedFile(
                "salaris.csv",
                f"{IMPORT_HEADER}\n9001;Nieuw;Persoon;01-01-2024;40;40\n".encode(),
                content_type="text/csv",
            ),
            "absence.employee",
        ),
        "support screenshot": (
            "hr",
            "/help/contact/",
            {"subject": "Help", "message": "It does not work"},
            "screenshot",
            lambda: SimpleUploadedFile("screen.png", png(), content_type="image/png"),
            "help.supportrequest",
        ),
    }


@pytest.mark.parametrize("upload", ["case document", "payroll import", "support screenshot"])
def test_uploads_of_the_wrong_type_never_fail_and_change_nothing(upload, fw):  # noqa: F811
    state, path, fields, file_field, valid_file, model = upload_cases(fw)[upload]
    client = fw.client(state)
    control = run_rolled_back(client, lambda c: c.post(path, {**fields, file_field: valid_file()}))
    assert model in control.changes, f"{upload}: the control with a valid file was not accepted"

    @FUZZ
    @given(junk_upload())
    def fuzz(junk: SimpleUploadedFile) -> None:
        count_example(f"upload {upload}")
        outcome = run_rolled_back(client, lambda c: c.post(path, {**fields, file_field: junk}))
        what = f"{upload}: {junk.name[:80]!r} ({junk.content_type}, {junk.size} bytes)"
        assert_no_server_error(outcome, what)
        assert_refusal_changed_nothing(outcome, what)

    fuzz()


cell = st.one_of(
    hostile_text.map(lambda t: t.replace("\n", " ").replace("\r", " ")),
    st.sampled_from(["", "01-01-2020", "2020-01-01", "40", "40,5", "-1", "1e9", "31-02-2020"]),
)


def test_payroll_rows_of_hostile_values_never_fail_and_a_dry_run_writes_nothing(fw):  # noqa: F811
    client = fw.client("hr")

    @FUZZ
    @given(
        st.lists(st.lists(cell, min_size=0, max_size=8), min_size=1, max_size=6),
        st.sampled_from([";", ",", "\t"]),
        st.booleans(),
    )
    def fuzz(rows: list[list[str]], separator: str, dry_run: bool) -> None:
        count_example("upload payroll rows")
        text = IMPORT_HEADER.replace(";", separator) + "\n"
        text += "\n".join(separator.join(row) for row in rows) + "\n"
        data = {
            "employer": str(fw.ids["employer"]),
            "file": SimpleUploadedFile("salaris.csv", text.encode(), content_type="text/csv"),
        }
        if dry_run:
            data["dry_run"] = "on"
        outcome = run_rolled_back(client, lambda c: c.post("/verzuim/import/", data))
        what = f"import ({'dry run' if dry_run else 'for real'}) of {text[:300]!r}"
        assert_no_server_error(outcome, what)
        if dry_run:
            assert_refusal_changed_nothing(outcome, what)

    fuzz()
