"""A local HTTP server that speaks Twilio's Messages API, for tests (127.0.0.1 only).

It checks what a real Twilio would check (path, basic auth, form fields) and answers with
Twilio-shaped JSON. ``script`` lists how to answer the next requests, in order; after that
every request succeeds:

- ``"ok"``: 201 with a new message sid
- ``"invalid_number"``: 400, Twilio error 21211
- ``"unavailable"``: 503
- ``"slow"``: answer only after ``slow_seconds`` (or when released)
- ``"hold"``: keep the request open until :meth:`release` (signals ``got_request``)

A slow or held request counts as received (in ``received``) as soon as it arrives: like
Twilio, the fake may have sent an SMS whose reply the client never saw.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_SID = "AC00000000000000000000000000000001"
AUTH_TOKEN = "test-auth-token-never-logged"


@dataclass(frozen=True)
class ReceivedSms:
    to: str
    sender: str
    body: str
    sid: str


class FakeTwilio:
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.script: list[str] = []
        self.slow_seconds = 3.0
        self.received: list[ReceivedSms] = []
        self.got_request = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def release(self) -> None:
        self._released.set()

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def next_behaviour(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else "ok"

    def record(self, form: dict[str, str]) -> str:
        sid = f"SM{uuid.uuid4().hex}"
        with self._lock:
            self.received.append(ReceivedSms(form["To"], form["From"], form["Body"], sid))
        return sid


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeTwilio

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout, killed worker) is expected here


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        expected_auth = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode())
        if self.path != f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json":
            return self._reply(
                404,
                {"code": 20404, "message": "The requested resource was not found", "status": 404},
            )
        if self.headers.get("Authorization") != f"Basic {expected_auth.decode()}":
            return self._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if self.headers.get_content_type() != "application/x-www-form-urlencoded" or not all(
            form.get(field) for field in ("To", "From", "Body")
        ):
            return self._reply(400, {"code": 21604, "message": "A field is missing", "status": 400})
        behaviour = fake.next_behaviour()
        if behaviour == "invalid_number":
            return self._reply(
                400,
                {
                    "code": 21211,
                    "message": "The 'To' number is not a valid phone number.",
                    "status": 400,
                },
            )
        if behaviour == "unavailable":
            return self._reply(
                503, {"code": 20503, "message": "Service unavailable", "status": 503}
            )
        sid = fake.record(form)  # received: Twilio may send it even if nobody hears back
        if behaviour == "hold":
            fake.got_request.set()
            fake._released.wait(timeout=30)
        elif behaviour == "slow":
            fake._released.wait(timeout=fake.slow_seconds)
        self._reply(
            201,
            {
                "sid": sid,
                "status": "queued",
                "to": form["To"],
                "from": form["From"],
                "account_sid": fake.account_sid,
            },
        )

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)
