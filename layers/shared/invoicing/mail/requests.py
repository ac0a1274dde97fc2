"""Asking for mail: an invoice's own mail, reminders and copies, checked at once and queued.

What the delivery routes call, and what a job calls to mail an invoice without an HTTP request
(a scheduled send, an overdue reminder). Each call checks what it can (the invoice, its state, the
address, the suppression list, the tenant's quota of the day), records the mail in the outbox and on
the invoice, and queues it: nobody waits on SES. `request_key` makes a mail one mail: the same key
for the same invoice and kind is the same outbox message, so a retried request or a job run twice
queues and counts nothing twice. The delivery worker renders or reads the PDF and sends
(`invoicing.mail.delivery`); see ARCHITECTURE.md, "Mail".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Protocol

from invoicing.errors import DependencyUnavailable, NotFound
from invoicing.invoices import lifecycle, workflow
from invoicing.invoices.enums import UNPUBLISHED_STATUSES
from invoicing.invoices.kernel import Actor
from invoicing.invoices.lifecycle import NumberAssignment
from invoicing.invoices.model import Event, Invoice
from invoicing.mail.eligibility import AddressSuppressed, ensure_mailable, invoice_recipient
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.ports import DeliveryQueue, MailCounter, MailOutbox, SuppressionList, Telemetry
from invoicing.mail.quota import MailQuota
from invoicing.mail.trail import queued_event_id, record_mail_queued
from invoicing.tenants.model import Tenant, TenantLookup, require_tenant
from invoicing.tenants.settings import SettingsStore, current_seller


class InvoiceNumbers(Protocol):
    def invoice_id_of(self, tenant_id: str, number: str) -> str | None: ...


class ClientPdfs(Protocol):
    """Where a PDF the client sent with its request is kept for the worker (S3DocumentStore)."""

    def put_invoice_pdf(
        self, tenant_id: str, invoice_id: str, blob_id: str, content: bytes, file_name: str
    ) -> None: ...


@dataclass(frozen=True)
class QueuedMail:
    invoice: Invoice
    """The invoice as stored once it records the mail (published, if it was a draft)."""
    message: OutboxMessage
    """The mail; `message.message_id` names it in the invoice's events."""


def blob_id_of_client_pdf(content: bytes) -> str:
    """Where a client's PDF is kept among its invoice's files: the same PDF sent again is the same blob."""
    return f"sent-{hashlib.sha256(content).hexdigest()[:40]}"


class _SeenInvoices:
    """The invoice store as one call sees it: a read answers the invoice as this call last read or
    wrote it, until a write fails (another request changed it meanwhile, say); so a send reads its
    invoice once, and publishing and recording the mail re-read only after a concurrent change."""

    def __init__(self, store: workflow.InvoiceStore) -> None:
        self._store = store
        self._seen: Invoice | None = None

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        seen = self._seen
        if seen is None or (seen.tenantId, seen.id) != (tenant_id, invoice_id):
            seen = self._seen = self._store.get(tenant_id, invoice_id)
        return seen

    def save(
        self, invoice: Invoice, *events: Event, previous: Invoice, number: NumberAssignment | None = None
    ) -> Invoice:
        try:
            self._seen = self._store.save(invoice, *events, previous=previous, number=number)
        except Exception:
            self._seen = None
            raise
        return self._seen

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        return self._store.current_sequence(tenant_id, counter)


class _Call:
    """One request for mail: who asks, what makes its mail one mail, when, and what it has read."""

    def __init__(
        self,
        actor: Actor,
        request_key: str,
        now: datetime,
        *,
        invoices: workflow.InvoiceStore,
        tenants: TenantLookup,
        default_quota_per_day: int,
    ) -> None:
        self.actor, self.request_key, self.now = actor, request_key, now
        self.invoices = _SeenInvoices(invoices)
        self._tenants = tenants
        self._default_quota_per_day = default_quota_per_day

    @cached_property
    def tenant(self) -> Tenant:
        return require_tenant(self._tenants, self.actor.tenant_id)

    @property
    def quota(self) -> MailQuota:
        return MailQuota.of(self.tenant, self._default_quota_per_day)


class InvoiceMail:
    def __init__(
        self,
        invoices: workflow.InvoiceStore,
        tenants: TenantLookup,
        tenant_settings: SettingsStore,
        numbers: InvoiceNumbers,
        client_pdfs: ClientPdfs,
        outbox: MailOutbox,
        queue: DeliveryQueue,
        suppressions: SuppressionList,
        counter: MailCounter,
        telemetry: Telemetry,
        *,
        default_quota_per_day: int,
    ) -> None:
        self._invoices = invoices
        self._tenants = tenants
        self._default_quota_per_day = default_quota_per_day
        self._tenant_settings = tenant_settings
        self._numbers = numbers
        self._client_pdfs = client_pdfs
        self._outbox = outbox
        self._queue = queue
        self._suppressions = suppressions
        self._counter = counter
        self._telemetry = telemetry

    def send(
        self,
        actor: Actor,
        invoice_id: str,
        *,
        request_key: str,
        now: datetime,
        client_pdf: bytes | None = None,
        client_pdf_blob_id: str | None = None,
    ) -> QueuedMail:
        """Publish a draft or scheduled invoice (number, status SENT) and mail it to its contact.

        A client's own PDF is attached instead of the invoice's: `client_pdf` (stored now), or one
        stored before (`client_pdf_blob_id`, see `blob_id_of_client_pdf`)."""
        call = self._call(actor, request_key, now)
        invoice = call.invoices.get(actor.tenant_id, invoice_id)
        recipient = invoice_recipient(invoice)
        self._check_address(actor.tenant_id, recipient)
        if invoice.status in UNPUBLISHED_STATUSES:
            self._counter.ensure_left(call.quota, now)
            invoice = self._publish(call, invoice)
        ensure_mailable(invoice, MailKind.INVOICE)
        blob_id = client_pdf_blob_id
        if client_pdf is not None:
            blob_id = blob_id_of_client_pdf(client_pdf)
            self._client_pdfs.put_invoice_pdf(
                actor.tenant_id, invoice.id, blob_id, client_pdf, f"{invoice.invoiceNumber}.pdf"
            )
        return self._queued(call, invoice, MailKind.INVOICE, recipient, blob_id)

    def remind(self, actor: Actor, invoice_id: str, *, request_key: str, now: datetime) -> QueuedMail:
        """Mail a reminder of a sent, unpaid invoice to its contact."""
        call = self._call(actor, request_key, now)
        invoice = call.invoices.get(actor.tenant_id, invoice_id)
        ensure_mailable(invoice, MailKind.REMINDER)
        recipient = invoice_recipient(invoice)
        self._check_address(actor.tenant_id, recipient)
        return self._queued(call, invoice, MailKind.REMINDER, recipient)

    def send_copy(
        self, actor: Actor, invoice_number: str, recipient: str, *, request_key: str, now: datetime
    ) -> QueuedMail:
        """Mail a copy of the published invoice `invoice_number` to any address."""
        call = self._call(actor, request_key, now)
        invoice_id = self._numbers.invoice_id_of(actor.tenant_id, invoice_number)
        if invoice_id is None:
            raise NotFound(f"No invoice has the number {invoice_number!r}.")
        invoice = call.invoices.get(actor.tenant_id, invoice_id)
        ensure_mailable(invoice, MailKind.COPY)
        self._check_address(actor.tenant_id, recipient)
        return self._queued(call, invoice, MailKind.COPY, recipient)

    def resend(self, actor: Actor, reference: str, *, request_key: str, now: datetime) -> QueuedMail:
        """Mail a published invoice to its contact again; `reference` is its id, or else its number."""
        call = self._call(actor, request_key, now)
        invoice = self._by_reference(call, reference)
        ensure_mailable(invoice, MailKind.INVOICE)
        recipient = invoice_recipient(invoice)
        self._check_address(actor.tenant_id, recipient)
        return self._queued(call, invoice, MailKind.INVOICE, recipient)

    def _call(self, actor: Actor, request_key: str, now: datetime) -> _Call:
        return _Call(
            actor,
            request_key,
            now,
            invoices=self._invoices,
            tenants=self._tenants,
            default_quota_per_day=self._default_quota_per_day,
        )

    def _check_address(self, tenant_id: str, recipient: str) -> None:
        reason = self._suppressions.reason_not_to_mail(tenant_id, recipient)
        if reason is not None:
            raise AddressSuppressed(recipient, reason)

    def _by_reference(self, call: _Call, reference: str) -> Invoice:
        tenant_id = call.actor.tenant_id
        try:
            return call.invoices.get(tenant_id, reference)
        except NotFound:
            invoice_id = self._numbers.invoice_id_of(tenant_id, reference)
            if invoice_id is None:
                raise NotFound(f"No invoice has the id or number {reference!r}.") from None
            return call.invoices.get(tenant_id, invoice_id)

    def _publish(self, call: _Call, invoice: Invoice) -> Invoice:
        return workflow.publish_invoice(
            call.invoices,
            lifecycle.NumberingPolicy.of(call.tenant),
            call.actor.tenant_id,
            invoice.id,
            actor=call.actor,
            now=call.now,
            seller=current_seller(self._tenant_settings, call.tenant),
        )

    def _queued(
        self,
        call: _Call,
        invoice: Invoice,
        kind: MailKind,
        recipient: str,
        client_pdf_blob_id: str | None = None,
    ) -> QueuedMail:
        """Record the mail in the outbox and on the invoice (each once per message id), then queue it.

        The outbox item is the commitment: when the queue does not take the message, the relay
        queues it later, so the request still succeeds. An item the invoice never recorded is never
        sent. A mail counts against the tenant's quota of the day once, when the outbox first sees it."""
        actor, now = call.actor, call.now
        message = OutboxMessage(
            actor.tenant_id, invoice.id, kind, recipient, call.request_key, actor.subject, client_pdf_blob_id
        )
        if self._outbox.state_of(message) is None:
            self._counter.take(call.quota, now)
        self._outbox.record(message, now)
        recorded = workflow.change_invoice_once(
            call.invoices,
            actor.tenant_id,
            invoice.id,
            queued_event_id(message),
            lambda current: record_mail_queued(current, message, actor=actor, now=now),
        )
        try:
            self._queue.put(message)
        except DependencyUnavailable as error:
            self._telemetry.warning("Mail left to the relay", mail_id=message.message_id, error=str(error))
            self._telemetry.count("MailLeftToRelay")
        self._telemetry.count(f"Mail{kind.title()}Queued")
        return QueuedMail(recorded or call.invoices.get(actor.tenant_id, invoice.id), message)
