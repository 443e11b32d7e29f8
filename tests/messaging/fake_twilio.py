"""A local HTTP server that speaks Twilio's Messages API, for tests (127.0.0.1 only).

It checks what a real Twilio would check (path, basic auth, form fields) and answers with
Twilio-shaped JSON. ``script`` lists how to answer the next requests, in order; after that
every request succeeds:

- ``"ok"``: 201 with a new message sid
- ``"invalid_number"``: 400, Twilio error 21211
- ``"unavailable"``: 503
- ``"slow"``: answer only after ``slow_seconds`` (or when released)
- ``"hold"``: accept the message, then keep the reply back until :meth:`release`
  (signals ``got_request``): the provider sent it, the client has not heard so yet
- ``"hold_before"``: keep the request open until :meth:`release` (signals ``got_request``)
  *before* accepting it; after the release it is refused with 503 (never sent)

A slow or held request counts as received (in ``received``) as soon as it is accepted: like
Twilio, the fake may have sent an SMS whose reply the client never saw.

Unlike Twilio, the fake honours an ``Idempotency-Key`` header, as the providers named in
``verzuim.messaging.backends.twilio`` do: a repeated key gets the first reply (same sid,
``Idempotent-Replayed: true``) and is not delivered again. ``requests`` counts every
authorised POST; ``received`` holds the deliveries, ``deliveries_by_key`` and
``deliveries_per_recipient`` count them.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections import Counter
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
    key: str = ""


class FakeTwilio:
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.script: list[str] = []
        self.slow_seconds = 3.0
        self.received: list[ReceivedSms] = []
        self.requests = 0
        self.replays = 0
        self._by_key: dict[str, ReceivedSms] = {}
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

    @property
    def released(self) -> bool:
        return self._released.is_set()

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def next_behaviour(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else "ok"

    def count_request(self) -> None:
        with self._lock:
            self.requests += 1

    def replayed(self, key: str) -> ReceivedSms | None:
        """The delivery an earlier request with this key made, if any."""
        with self._lock:
            earlier = self._by_key.get(key) if key else None
            if earlier is not None:
                self.replays += 1
            return earlier

    def record(self, form: dict[str, str], key: str = "") -> str:
        sid = f"SM{uuid.uuid4().hex}"
        sms = ReceivedSms(form["To"], form["From"], form["Body"], sid, key)
        with self._lock:
            if key and key in self._by_key:  # a repeat that raced the first one
                self.replays += 1
                return self._by_key[key].sid
            self.received.append(sms)
            if key:
                self._by_key[key] = sms
        return sid

    def deliveries_by_key(self) -> Counter[str]:
        with self._lock:
            return Counter(sms.key for sms in self.received)

    def deliveries_per_recipient(self) -> Counter[str]:
        with self._lock:
            return Counter(sms.to for sms in self.received)


    def reply_for(self, sms: ReceivedSms) -> dict[str, Any]:
        return {
            "sid": sms.sid,
            "status": "queued",
            "to": sms.to,
            "from": sms.sender,
            "account_sid": self.account_sid,
        }


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
        fake.count_request()
        key = self.headers.get("Idempotency-Key", "")
        earlier = fake.replayed(key)
        if earlier is not None:
            return self._reply(201, fake.reply_for(earlier), replayed=True)
        behaviour = fake.next_behaviour()
        if behaviour == "hold_before":
            fake.got_request.set()
            fake._released.wait(timeout=30)
            return self._reply(
                503, {"code": 20503, "message": "Service unavailable", "status": 503}
            )
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
        sid = fake.record(form, key)  # received: Twilio may send it even if nobody hears back
        if behaviour == "hold":
            fake.got_request.set()
            fake._released.wait(timeout=30)
        elif behaviour == "slow":
            fake._released.wait(timeout=fake.slow_seconds)
        self._reply(201, fake.reply_for(ReceivedSms(form["To"], form["From"], "", sid)))

    def _reply(self, status: int, payload: dict[str, Any], *, replayed: bool = False) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        if replayed:
            self.send_header("Idempotent-Replayed", "true")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)
