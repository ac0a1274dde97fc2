"""The token, short code and form tag of a link: HMAC-SHA256 of its id under the link secret, and
the digests the table keys its lookups by (so the table never holds a token or a code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable

#: 12 base64url characters: 72 bits, with the per-client rate limit far beyond guessing
SHORT_CODE_LENGTH = 12


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def digest(kind: str, value: str) -> str:
    """The table's key of a token or code (`kind` keeps the two apart)."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


class LinkKeys:
    """Derives a link's secrets; `secret` (Secrets Manager) is read on first use only."""

    def __init__(self, secret: Callable[[], str]) -> None:
        self._secret = secret

    def _mac(self, purpose: str, link_id: str) -> bytes:
        key = self._secret().encode()
        return hmac.new(key, f"{purpose}:{link_id}".encode(), hashlib.sha256).digest()

    def token(self, link_id: str) -> str:
        """256 bits, URL-safe: the full link's path segment."""
        return _b64(self._mac("token", link_id))

    def code(self, link_id: str) -> str:
        return _b64(self._mac("code", link_id))[:SHORT_CODE_LENGTH]

    def form_tag(self, link_id: str) -> str:
        """Bound to the link: the page's forms carry it, a cross-site post cannot know it."""
        return _b64(self._mac("form", link_id))[:32]
