"""SMS through Twilio's Messages REST API, with the standard library only.

POST {TWILIO_API_BASE}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded To, From, Body,
HTTP basic auth ``sid:token``; a 201 reply carries the message's ``sid``.

Every request carries an idempotency key derived from the ``OutgoingMessage`` id, the same on
every try of that message (see ``idempotency_key``). Delivery is at-least-once: a worker killed
after the provider accepted a message but before it recorded that, tries again. A provider
that honours the key answers the repeat with the first result and does not send twice.
Which providers do (looked up 2026; check your contract): the ``Idempotency-Key`` header
(IETF draft "The Idempotency-Key HTTP Header Field") is honoured on message sends by e.g.
Sent.dm (SMS, ``POST /v3/messages``), Resend and Emailit (e-mail); Infobip deduplicates on the
client-assigned ``messageId`` once idempotency is enabled for the account. Twilio's Messages API
does not document a request idempotency key (``I-Twilio-Idempotency-Token`` is what Twilio
itself sends on its webhooks); we send both headers, which Twilio ignores, so on Twilio the
guarantee stays at-least-once: a duplicate code is harmless, a lost one locks someone out.

Exception texts and log lines carry the HTTP status and Twilio's numeric error code only:
never the message body, the recipient's number or the auth token.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings

from verzuim.messaging.backends.base import DeliveryError
from verzuim.messaging.models import OutgoingMessage

logger = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
# 4xx replies that can succeed later or after fixing our configuration: bad credentials or a
# suspended account (401/403), a wrong account SID or API base (404), timeouts, rate limits.
RETRYABLE_CLIENT_STATUSES = frozenset({401, 403, 404, 408, 409, 425, 429})


def is_permanent(status: int) -> bool:
    """True when Twilio refused the message itself (e.g. an invalid number): never retry."""
    return 400 <= status < 500 and status not in RETRYABLE_CLIENT_STATUSES


def _error_code(raw: bytes) -> str:
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "?"
    code = data.get("code") if isinstance(data, dict) else None
    return str(code) if isinstance(code, int) else "?"


def _read_quietly(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read()
    except (OSError, http.client.HTTPException):
        return b""


IDEMPOTENCY_HEADERS = ("Idempotency-Key", "I-Twilio-Idempotency-Token")


def idempotency_key(message: OutgoingMessage) -> str:
    """Stable per message, across tries and workers; no personal data in it."""
    return f"verzuim-msg-{message.id}"



class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """The API answers directly; a redirect (a wrong base URL, a hijacked name) is an error,
    never followed, so the credentials go to the configured host only."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)

class TwilioSmsBackend:
    """Sends one SMS per call; ``send`` returns Twilio's message SID."""

    def __init__(self) -> None:
        self.account_sid: str = settings.TWILIO_ACCOUNT_SID
        self.auth_token: str = settings.TWILIO_AUTH_TOKEN
        self.api_base: str = settings.TWILIO_API_BASE.rstrip("/")
        self.timeout: int = settings.TWILIO_TIMEOUT_SECONDS

    def _request(self, message: OutgoingMessage) -> urllib.request.Request:
        if not self.account_sid or not self.auth_token:
            raise DeliveryError("Twilio is not configured (TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN)")
        if not self.api_base.startswith(("https://", "http://")):
            raise DeliveryError("TWILIO_API_BASE must be an http(s) URL")
        sid = urllib.parse.quote(self.account_sid, safe="")
        url = f"{self.api_base}/{API_VERSION}/Accounts/{sid}/Messages.json"
        form = urllib.parse.urlencode(
            {"To": message.to, "From": message.sender, "Body": message.body}
        ).encode("ascii")
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=form,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
                **dict.fromkeys(IDEMPOTENCY_HEADERS, idempotency_key(message)),
            },
        )

    def send(self, message: OutgoingMessage) -> str:
        request = self._request(message)
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            status, code = exc.code, _error_code(_read_quietly(exc))
            raise DeliveryError(
                f"Twilio HTTP {status}, error code {code}", permanent=is_permanent(status)
            ) from None
        except TimeoutError:
            raise DeliveryError(f"Twilio timed out after {self.timeout} s") from None
        except urllib.error.URLError as exc:
            raise DeliveryError(f"Twilio unreachable: {type(exc.reason).__name__}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise DeliveryError(f"Twilio connection error: {type(exc).__name__}") from None
        try:
            return str(json.loads(raw.decode("utf-8"))["sid"])
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            # Twilio accepted the message; retrying would send it twice.
            logger.warning("Twilio accepted message %s without a readable sid", message.id)
            return ""
