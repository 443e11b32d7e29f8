"""What we know about the request we are serving: client address and user agent."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address.

    A forwarding header is only believed when VERZUIM_TRUSTED_PROXY_HEADER names it; then
    the address is taken that many hops from the right (what our own proxies appended),
    never the left-most value a client may have forged.
    """
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        hops = [h for h in request.META.get(meta_key, "").split(",") if h.strip()]
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            ip = _valid_ip(hops[-settings.TRUSTED_PROXY_COUNT])
            if ip:
                return ip
    return _valid_ip(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


@dataclass(frozen=True)
class Origin:
    """Where an action came from, for throttles and the audit log (no request object needed)."""

    ip: str | None = None
    user_agent: str = ""
    #: The session the action came from (a secret: never shown, stored or logged), so that a
    #: change can end the user's *other* sessions and keep this one.
    session_key: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_request(cls, request: HttpRequest) -> Origin:
        ip = getattr(request, "client_ip", None) or client_ip(request)
        session = getattr(request, "session", None)
        return cls(ip=ip, user_agent=user_agent(request),
                   session_key=session.session_key if session is not None else None)


SYSTEM = Origin()
