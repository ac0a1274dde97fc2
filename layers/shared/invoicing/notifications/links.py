"""The hosted invoice page's links, as notifications carry them (`invoicing.public_links` makes them)."""

from __future__ import annotations

from typing import Protocol

from invoicing.invoices.model import Invoice


class HostedUrls(Protocol):
    @property
    def full_url(self) -> str: ...

    @property
    def short_url(self) -> str: ...


class HostedLinkSource(Protocol):
    """An invoice's live public link (`invoicing.public_links.urls.PublicLinks`), None without one."""

    def urls(self, invoice: Invoice) -> HostedUrls | None: ...
