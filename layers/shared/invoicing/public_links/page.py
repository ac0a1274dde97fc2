"""The hosted invoice page's use case: what a link's holder may see and do, and nothing else.

Every request names a token (or a short code) and is counted against the link's and the client's
rate limits first. A token resolves through its lookup item to one invoice, which must still carry
that link and be live; anything else is NotFound, the same answer as for a token never issued, so
the page reveals neither other invoices nor whether a token once existed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from invoicing.clock import utc_now
from invoicing.errors import NotFound, PermissionDenied
from invoicing.invoices import workflow
from invoicing.invoices.calculator import MethodPrice
from invoicing.invoices.enums import EventType, PaymentMethod
from invoicing.invoices.kernel import Actor, Change, new_event, new_id
from invoicing.invoices.model import Invoice, Seller
from invoicing.invoices.workflow import InvoiceStore
from invoicing.links import DownloadLink
from invoicing.public_links.keys import LinkKeys
from invoicing.public_links.public_link import is_live, reissued
from invoicing.public_links.urls import PublicLinks, PublicUrls

if TYPE_CHECKING:
    from invoicing.documents.downloads import InvoicePdfs
    from invoicing.payments.paying import InvoicePayments, PaymentContext
    from invoicing.payments.requests import AchPaymentRequest, CardPaymentRequest, PaymentAnswer

#: who the audit trail names for what a link's holder did
CUSTOMER = "customer (public link)"
PAGE_METHODS = (PaymentMethod.CREDIT_CARD, PaymentMethod.DEBIT_CARD, PaymentMethod.ACH)
_UNKNOWN = "This link is unknown, revoked or expired."


class LinkLookups(Protocol):
    def find(self, kind: str, value: str) -> LinkTarget | None: ...


class LinkTarget(Protocol):
    @property
    def tenant_id(self) -> str: ...
    @property
    def invoice_id(self) -> str: ...
    @property
    def link_id(self) -> str: ...


class RateLimits(Protocol):
    def take(self, scope: str, key: str, limit: int, now: datetime) -> None: ...


class PdfLinks(Protocol):
    def invoice_pdf_link(
        self, tenant_id: str, invoice_id: str, blob_id: str, now: datetime
    ) -> DownloadLink: ...


class MethodBalances(Protocol):
    def balance(self, invoice: Invoice, method: PaymentMethod) -> MethodPrice: ...


@dataclass(frozen=True)
class Limits:
    per_token: int
    per_client: int


@dataclass(frozen=True)
class PublicRequest:
    """What the page knows of a request: the link's secret, the client's address, and whether it is
    a customer opening the page (not a HEAD or a scanner's prefetch)."""

    secret: str
    client_ip: str
    counts_as_view: bool = False
    request_key: str | None = None


@dataclass(frozen=True)
class PageView:
    invoice: Invoice
    seller: Seller | None
    prices: dict[PaymentMethod, MethodPrice]
    form_tag: str


class HostedInvoicePage:
    def __init__(
        self,
        invoices: InvoiceStore,
        lookups: LinkLookups,
        keys: LinkKeys,
        links: PublicLinks,
        limits: RateLimits,
        balances: MethodBalances,
        payments: Callable[[], InvoicePayments],
        pdfs: Callable[[], InvoicePdfs],
        pdf_links: Callable[[], PdfLinks],
        seller_of: Callable[[str], Seller | None],
        *,
        rate: Limits,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._invoices = invoices
        self._lookups = lookups
        self._keys = keys
        self._links = links
        self._limits = limits
        self._balances = balances
        self._payments = payments
        self._pdfs = pdfs
        self._pdf_links = pdf_links
        self._seller_of = seller_of
        self._rate = rate
        self._clock = clock

    def _resolve(self, kind: str, request: PublicRequest) -> Invoice:
        now = self._clock()
        self._limits.take("client", request.client_ip, self._rate.per_client, now)
        self._limits.take(kind, request.secret, self._rate.per_token, now)
        target = self._lookups.find(kind, request.secret)
        if target is None:
            raise NotFound(_UNKNOWN)
        try:
            invoice = self._invoices.get(target.tenant_id, target.invoice_id)
        except NotFound:
            raise NotFound(_UNKNOWN) from None
        if not is_live(invoice, target.link_id, now):
            raise NotFound(_UNKNOWN)
        return invoice

    def open(self, request: PublicRequest) -> PageView:
        """The page of the token's invoice; a customer's first opening of the day is VIEWED."""
        invoice = self._resolve("token", request)
        if request.counts_as_view and not invoice.has_event(_viewed_event_id(self._clock())):
            invoice = self._record_view(invoice)
        return self._view(invoice)

    def _view(self, invoice: Invoice) -> PageView:
        assert invoice.publicLink is not None
        return PageView(
            invoice=invoice,
            seller=invoice.seller or self._seller_of(invoice.tenantId),
            prices={method: self._balances.balance(invoice, method) for method in PAGE_METHODS},
            form_tag=self._keys.form_tag(invoice.publicLink.id),
        )

    def _record_view(self, invoice: Invoice) -> Invoice:
        """One VIEWED a day: the event's id names the day, so racing openings record it once."""
        now = self._clock()
        actor = Actor(invoice.tenantId, CUSTOMER)
        event_id = _viewed_event_id(now)

        def viewed(current: Invoice) -> Change:
            event = new_event(
                actor, now, EventType.VIEWED, "The customer opened the invoice page.", lambda: event_id
            )
            return Change(current, event)

        recorded = workflow.change_invoice_once(
            self._invoices, invoice.tenantId, invoice.id, event_id, viewed
        )
        return recorded or invoice

    def follow(self, request: PublicRequest, *, request_base_url: str = "") -> PublicUrls:
        """The full link a short code stands for."""
        urls = self._links.urls(self._resolve("code", request), request_base_url=request_base_url)
        if urls is None:
            raise NotFound(_UNKNOWN)
        return urls

    def _paying(self, request: PublicRequest, form_tag: str | None) -> tuple[Invoice, PaymentContext]:
        invoice = self._resolve("token", request)
        assert invoice.publicLink is not None
        expected = self._keys.form_tag(invoice.publicLink.id)
        if form_tag is not None and not secrets.compare_digest(form_tag, expected):
            raise PermissionDenied("The form does not belong to this page; reload it and pay again.")
        from invoicing.payments.paying import PaymentContext

        actor = Actor(invoice.tenantId, CUSTOMER)
        return invoice, PaymentContext(actor, request_key=request.request_key, client_ip=request.client_ip)

    def pay_card(
        self, request: PublicRequest, payment: CardPaymentRequest, form_tag: str | None = None
    ) -> PaymentReceipt:
        """A card payment of the token's invoice (`form_tag`: the page's form must carry its own)."""
        invoice, context = self._paying(request, form_tag)
        answer = self._payments().pay_card(context, invoice.id, payment)
        return PaymentReceipt(answer, self._view(self._invoices.get(invoice.tenantId, invoice.id)))

    def pay_ach(
        self, request: PublicRequest, payment: AchPaymentRequest, form_tag: str | None = None
    ) -> PaymentReceipt:
        invoice, context = self._paying(request, form_tag)
        answer = self._payments().pay_ach(context, invoice.id, payment)
        return PaymentReceipt(answer, self._view(self._invoices.get(invoice.tenantId, invoice.id)))

    def pdf(self, request: PublicRequest) -> DownloadLink:
        """A short-lived download link of the token's invoice's PDF (rendered if missing)."""
        invoice = self._resolve("token", request)
        rendered = self._pdfs().generate(Actor(invoice.tenantId, CUSTOMER), invoice.id)
        return self._pdf_links().invoice_pdf_link(
            invoice.tenantId, invoice.id, rendered.pdf.blobId, self._clock()
        )

    def reissue(self, actor: Actor, invoice_id: str, *, request_base_url: str = "") -> PublicUrls:
        """A new link for the tenant's invoice; the old one is unknown from now on."""
        now = self._clock()

        def new_link(current: Invoice, by: Actor) -> Change:
            event = new_event(
                by,
                now,
                EventType.UPDATE,
                "A new public link was issued; the previous one is revoked.",
                new_id,
            )
            return Change(reissued(current, now), event)

        invoice = workflow.change_as(self._invoices, actor, invoice_id, new_link, retry=True)
        urls = self._links.urls(invoice, request_base_url=request_base_url)
        if urls is None:
            raise NotFound(f"Invoice {invoice_id} has no live public link (paid or cancelled long ago).")
        return urls


@dataclass(frozen=True)
class PaymentReceipt:
    answer: PaymentAnswer
    page: PageView


def _viewed_event_id(now: datetime) -> str:
    """The day's VIEWED event has this id, so an invoice records it once a day."""
    return f"viewed-{now:%Y-%m-%d}"
