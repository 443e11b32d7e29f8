"""Password rules beyond Django's own validators (ASVS V6.1.2, V6.2.11, V6.2.12).

* ``ContextWordsValidator`` refuses a password that is little more than a word anyone would
  guess for this portal: its name, its field (sick leave, the Dutch law), the roles, or the
  organisation's own name and host. The list is documented in docs/security/asvs-l2.md.
* ``BreachedPasswordValidator`` refuses a password that appears in the public collection of
  breached passwords, asked with the k-anonymity range protocol: only the first five
  characters of the password's SHA-1 leave the server, never the password or its full hash.
  When the service cannot be reached the check is skipped (logged), and Django's list of
  20,000 common passwords still applies.
"""

from __future__ import annotations

import hashlib
import logging
import re
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: Words that fit this portal and so come first to an attacker's mind (ASVS V6.1.2).
CONTEXT_WORDS = (
    "verzuimportaal", "verzuim", "portaal", "poortwachter", "ziekmelding", "ziekmelden",
    "ziekteverzuim", "ziek", "beter", "herstel", "arbodienst", "bedrijfsarts", "casemanager",
    "werkgever", "werknemer", "medewerker", "reintegratie", "support", "helpdesk",
    "wachtwoord", "password", "welkom", "welcome", "inloggen", "login",
)
#: What must remain of the password once the context words are taken out.
MIN_REMAINDER = 8


#: Look-alike characters read as the letter they stand for ("P00rtw@chter").
_LEET = str.maketrans("013457@$!", "oieastasi")


def context_words(user: Any = None) -> list[str]:
    """The fixed list plus the words of the user's organisation (name, short name, host)."""
    words = list(CONTEXT_WORDS)
    tenant = getattr(user, "tenant", None)
    if tenant is not None:
        for value in (tenant.name, tenant.slug, *tenant.host.split(".")):
            words += [w for w in re.split(r"[^a-z]+", value.lower()) if len(w) >= 4]
    return sorted(set(words), key=len, reverse=True)


class ContextWordsValidator:
    def validate(self, password: str, user: Any = None) -> None:
        remainder = password.lower().translate(_LEET)
        found = False
        for word in context_words(user):
            # The word's letters, possibly with separators between them ("verzuim-portaal").
            remainder, hits = re.subn(r"[^a-z]*".join(map(re.escape, word)), "", remainder)
            found = found or hits > 0
        if found and len(remainder) < MIN_REMAINDER:
            raise ValidationError(
                _("This password is too easy to guess: it is mostly a word that fits this "
                  "portal or your organisation."),
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return _("Do not build your password around the name of the portal or your organisation.")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def breach_count(password: str) -> int | None:
    """How often the password occurs in the breach collection; None when unknown."""
    url = settings.BREACHED_PASSWORDS_URL
    if not url:
        return None
    digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
    prefix, suffix = digest[:5], digest[5:]
    request = urllib.request.Request(  # noqa: S310 - an https URL from the settings
        url + prefix, headers={"Add-Padding": "true", "User-Agent": "verzuimportaal"}
    )
    try:
        with _OPENER.open(request, timeout=settings.BREACHED_PASSWORDS_TIMEOUT) as reply:
            body = reply.read(2_000_000).decode("ascii", "replace")
    except (OSError, urllib.error.URLError) as exc:
        logger.warning("Breached-password check skipped: %s", type(exc).__name__)
        return None
    for line in body.splitlines():
        candidate, _sep, count = line.strip().partition(":")
        if candidate == suffix:
            return int(count) if count.isdigit() else 1
    return 0


class BreachedPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if breach_count(password):
            raise ValidationError(
                _("This password appears in a list of passwords stolen from other websites. "
                  "Choose another one."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Passwords known from data breaches elsewhere are refused.")
