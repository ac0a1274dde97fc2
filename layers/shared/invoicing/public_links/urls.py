"""The customer's URLs of a published invoice: seed 003's `fullUrl` and `shortUrl`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from invoicing.clock import utc_now
from invoicing.invoices.model import ApiModel, Invoice
from invoicing.public_links.keys import LinkKeys
from invoicing.public_links.public_link import is_live

PUBLIC_PAGE_PATH = "/v1/public/invoices/"
SHORT_PATH = "/i/"


@dataclass(frozen=True)
class PublicUrls:
    full_url: str
    short_url: str


class PublicLinkView(ApiModel):
    """An invoice's new public link (the previous one is revoked)."""

    fullUrl: str
    shortUrl: str


class PublicLinks:
    """`base_url`: the stage's API URL (PUBLIC_BASE_URL); a request's own address when it is unset."""

    def __init__(self, keys: LinkKeys, base_url: str, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._keys = keys
        self._base_url = base_url.rstrip("/")
        self._clock = clock

    def urls(self, invoice: Invoice, *, request_base_url: str = "") -> PublicUrls | None:
        """The invoice's live link, or None (a draft, an expired link)."""
        link = invoice.publicLink
        if link is None or not is_live(invoice, link.id, self._clock()):
            return None
        base = self._base_url or request_base_url.rstrip("/")
        return PublicUrls(
            full_url=f"{base}{PUBLIC_PAGE_PATH}{self._keys.token(link.id)}",
            short_url=f"{base}{SHORT_PATH}{self._keys.code(link.id)}",
        )
