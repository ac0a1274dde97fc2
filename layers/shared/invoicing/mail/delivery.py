"""Delivering queued mail: what the delivery worker does with each outbox message it receives.

Per message: claim the mail item (conditional write); read the invoice and give the mail up when it
may no longer be sent (a reminder of an invoice paid meanwhile, any mail of a cancelled or deleted
invoice: MAIL_CANCELLED on the invoice, item CANCELLED); skip an address on the suppression list;
attach the client's PDF, or the invoice's own (rendered now if missing or stale); send with the
configuration set that reports what became of it; record the mail service's message id at once;
then append MAIL_SENT or REMINDER_SENT to the invoice. A text message (MailKind.SMS) is published
through SNS instead, unless its number opted out meanwhile (given up, never sent), then SMS_SENT.
A message whose mail is already SENT only makes sure the invoice records it. A failed send comes
back after an exponential backoff; the last attempt records DELIVERY_FAILED on the invoice before
the queue moves the message to its DLQ.
The tenant is read once per mail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from invoicing.clock import utc_now
from invoicing.documents.rendering import CurrentPdfs, PdfFiles
from invoicing.errors import ConcurrentChange, DependencyUnavailable, NotFound
from invoicing.invoices import workflow
from invoicing.invoices.kernel import Actor
from invoicing.invoices.model import Invoice
from invoicing.mail import trail
from invoicing.mail.compose import PdfAttachment, Sender, compose_invoice_mail
from invoicing.mail.eligibility import why_not_mailable
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.ports import Claim, MailOutbox, MailSender, Redelivery, SuppressionList, Telemetry
from invoicing.mail.retries import retry_delay
from invoicing.notifications.links import HostedLinkSource
from invoicing.notifications.ports import TextMessages
from invoicing.notifications.sms import invoice_sms
from invoicing.tenants.model import Tenant, TenantLookup, require_tenant
from invoicing.tenants.settings import SettingsStore

#: longer than the function's timeout, so a live worker never loses its claim
CLAIM_LEASE = timedelta(minutes=2)


class MailInProgress(ConcurrentChange):
    """Another worker holds the claim on this mail; the message comes back after its visibility timeout."""


@dataclass(frozen=True)
class Attempt:
    """One receipt of a queue message: which attempt it is, and what brings it back later."""

    number: int
    queue_arn: str
    receipt_handle: str


@dataclass(frozen=True)
class DeliveryPolicy:
    """Where mail comes from, and how failed sends are retried (`attempts` in all)."""

    sender_email: str
    attempts: int
    retry_base_seconds: int
    #: the SMS sender id (where the destination country supports one)
    sms_sender_id: str | None = None


class _ThisTenant:
    """A tenant lookup that answers the tenant this mail already read."""

    def __init__(self, tenant: Tenant) -> None:
        self._tenant = tenant

    def find_tenant(self, tenant_id: str) -> Tenant | None:
        return self._tenant if tenant_id == self._tenant.tenant_id else None


def _actor(message: OutboxMessage) -> Actor:
    return Actor(tenant_id=message.tenant_id, subject=message.requested_by)


class MailDelivery:
    def __init__(
        self,
        invoices: workflow.InvoiceStore,
        tenants: TenantLookup,
        files: PdfFiles,
        outbox: MailOutbox,
        redelivery: Redelivery,
        suppressions: SuppressionList,
        sender: MailSender,
        telemetry: Telemetry,
        policy: DeliveryPolicy,
        *,
        tenant_settings: SettingsStore,
        texts: TextMessages | None = None,
        links: HostedLinkSource | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._invoices = invoices
        self._tenants = tenants
        self._files = files
        self._outbox = outbox
        self._redelivery = redelivery
        self._suppressions = suppressions
        self._sender = sender
        self._telemetry = telemetry
        self._policy = policy
        self._tenant_settings = tenant_settings
        self._texts = texts
        self._links = links
        self._clock = clock

    def deliver(self, message: OutboxMessage, attempt: Attempt) -> None:
        """Send the message's mail once, whatever number of workers receive it; when the send fails,
        bring the message back after a backoff (or, on the last attempt, give the mail up) and raise."""
        try:
            self._deliver(message)
        except Exception as error:
            if attempt.number >= self._policy.attempts:
                self._give_up(message, f"{attempt.number} attempts failed, the last with: {error}")
            else:
                delay = retry_delay(attempt.number, self._policy.retry_base_seconds)
                self._redelivery.retry_later(attempt.queue_arn, attempt.receipt_handle, delay)
                self._telemetry.warning(
                    "Mail will be retried",
                    mail_id=message.message_id,
                    attempt=attempt.number,
                    delay_seconds=delay,
                )
            raise

    def _deliver(self, message: OutboxMessage) -> None:
        claim = self._outbox.claim(message, self._clock(), CLAIM_LEASE)
        if claim is Claim.IN_PROGRESS:
            raise MailInProgress(f"Mail {message.message_id} is being sent by another worker.")
        if claim is Claim.CANCELLED:
            return
        if claim is Claim.ALREADY_SENT:
            self._record_sent(message, self._outbox.ses_message_id(message) or "unknown")
            return
        try:
            self._deliver_claimed(message)
        except Exception:
            self._outbox.release(message)
            raise

    def _deliver_claimed(self, message: OutboxMessage) -> None:
        """Send a claimed mail, unless the invoice as it is now no longer allows it."""
        try:
            invoice = self._invoices.get(message.tenant_id, message.invoice_id)
        except NotFound:
            self._outbox.mark_cancelled(message, "the invoice was deleted")
            return
        reason = why_not_mailable(invoice, message.kind)
        if reason is not None:
            self._cancel(message, reason)
            return
        if message.kind is MailKind.SMS:
            self._text(message, invoice)
            return
        suppressed = self._suppressions.reason_not_to_mail(message.tenant_id, message.recipient)
        if suppressed is not None:
            self._give_up(message, f"the address is suppressed ({suppressed})")
            return
        self._record_sent(message, self._send(message, invoice))

    def _send(self, message: OutboxMessage, invoice: Invoice) -> str:
        tenant = require_tenant(self._tenants, message.tenant_id)
        source = self._policy.sender_email
        mail = compose_invoice_mail(
            invoice,
            sender=Sender(
                name=self._sender_name(message, tenant), address=source, reply_to=tenant.sender_email
            ),
            recipient=message.recipient,
            pdf=self._pdf(message, invoice, tenant),
            kind=message.kind,
            default_reminder_body=tenant.reminder_body,
            link=self._link(message, invoice),
        )
        tags = {"tenant": message.tenant_id, "invoice": message.invoice_id, "mail": message.message_id}
        ses_message_id = self._sender.send(mail, source, message.recipient, tags=tags)
        self._outbox.mark_sent(message, ses_message_id)
        self._telemetry.info("Mail sent", mail_id=message.message_id, ses_message_id=ses_message_id)
        self._telemetry.count("MailSent")
        return ses_message_id

    def _link(self, message: OutboxMessage, invoice: Invoice) -> str | None:
        if self._links is None or message.kind is not MailKind.NOTIFICATION:
            return None
        urls = self._links.urls(invoice)
        return urls.full_url if urls else None

    def _text(self, message: OutboxMessage, invoice: Invoice) -> None:
        """Publish a claimed text message, unless its number is on the opt-out list by now."""
        texts = self._texts
        if texts is None:
            raise DependencyUnavailable(f"This worker sends no text messages ({message.message_id}).")
        if texts.is_opted_out(message.recipient):
            self._give_up(message, "the number opted out of text messages")
            return
        urls = self._links.urls(invoice) if self._links else None
        tenant = require_tenant(self._tenants, message.tenant_id)
        text = invoice_sms(invoice, seller_name=tenant.name, link=urls.short_url if urls else None)
        sns_message_id = texts.publish(message.recipient, text, sender_id=self._policy.sms_sender_id)
        self._outbox.mark_sent(message, sns_message_id)
        self._telemetry.info("Text message sent", mail_id=message.message_id, sns_message_id=sns_message_id)
        self._telemetry.count("SmsSent")
        self._record_sent(message, sns_message_id)

    def _sender_name(self, message: OutboxMessage, tenant: Tenant) -> str:
        """Reminders go out under the tenant's reminder sender name when it set one."""
        if message.kind is not MailKind.REMINDER:
            return tenant.name
        reminders = self._tenant_settings.get(message.tenant_id).settings.reminders
        return reminders.senderName or tenant.name

    def _pdf(self, message: OutboxMessage, invoice: Invoice, tenant: Tenant) -> PdfAttachment:
        files = self._files
        if message.client_pdf_blob_id is not None:
            content = files.read_invoice_pdf(message.tenant_id, invoice.id, message.client_pdf_blob_id)
            if content is None:
                raise NotFound(f"The PDF sent with mail {message.message_id} is missing.")
            return PdfAttachment(f"{invoice.invoiceNumber}.pdf", content)
        rendered = CurrentPdfs(self._invoices, _ThisTenant(tenant), files).ensure(_actor(message), invoice)
        content = rendered.content
        if content is None:
            content = files.read_invoice_pdf(message.tenant_id, invoice.id, rendered.pdf.blobId)
        if content is None:
            raise NotFound(f"The PDF of invoice {invoice.id} is missing.")
        return PdfAttachment(rendered.pdf.name, content)

    def _record_sent(self, message: OutboxMessage, ses_message_id: str) -> None:
        workflow.change_invoice_once(
            self._invoices,
            message.tenant_id,
            message.invoice_id,
            trail.sent_event_id(message.message_id),
            lambda current: trail.record_mail_sent(
                current, message, ses_message_id, actor=_actor(message), now=self._clock()
            ),
        )

    def _give_up(self, message: OutboxMessage, reason: str) -> None:
        self._outbox.mark_failed(message, reason)
        workflow.change_invoice_once(
            self._invoices,
            message.tenant_id,
            message.invoice_id,
            trail.failed_event_id(message.message_id),
            lambda current: trail.record_delivery_failed(
                current, message, reason, actor=_actor(message), now=self._clock()
            ),
        )
        self._telemetry.warning("Mail given up", mail_id=message.message_id, reason=reason)
        self._telemetry.count("MailFailed")

    def _cancel(self, message: OutboxMessage, reason: str) -> None:
        self._outbox.mark_cancelled(message, reason)
        workflow.change_invoice_once(
            self._invoices,
            message.tenant_id,
            message.invoice_id,
            trail.cancelled_event_id(message.message_id),
            lambda current: trail.record_mail_cancelled(
                current, message, reason, actor=_actor(message), now=self._clock()
            ),
        )
        self._telemetry.info("Mail cancelled", mail_id=message.message_id, reason=reason)
        self._telemetry.count("MailCancelled")
