"""Asking for a notification (seed 003): an e-mail or a text message about a published invoice.

Checked at once, in this order: the invoice is published (else 409, "Available only for published
invoices"), the customer consented (else 422, and the refusal is recorded on the invoice), the
address or number may be sent to (suppressed address, number opted out of SMS: 422), and the
tenant's quota of the day (mail and SMS each have their own). Then the message is recorded in the
mail outbox and on the invoice, and queued for the delivery worker, exactly like invoice mail
(`invoicing.mail.requests`): `request_key` makes it one message, so a repeated request sends once.
"""

from __future__ import annotations

from datetime import datetime

from invoicing.errors import Conflict, DependencyUnavailable, Unprocessable
from invoicing.invoices import workflow
from invoicing.invoices.edits import touched
from invoicing.invoices.enums import PUBLISHED_STATUSES, EventType, NotificationChannel
from invoicing.invoices.kernel import Actor, Change, new_event
from invoicing.invoices.model import Invoice
from invoicing.mail.eligibility import AddressSuppressed
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.ports import DeliveryQueue, MailCounter, MailOutbox, SuppressionList, Telemetry
from invoicing.mail.quota import MailQuota
from invoicing.mail.trail import queued_event_id, record_mail_queued
from invoicing.notifications.phone import FIELD as PHONE_FIELD
from invoicing.notifications.phone import e164
from invoicing.notifications.ports import OptOutList
from invoicing.tenants.model import TenantLookup, require_tenant

NOT_PUBLISHED = "Available only for published invoices."
_CHANNELS = {MailKind.NOTIFICATION: NotificationChannel.EMAIL, MailKind.SMS: NotificationChannel.SMS}


class NumberOptedOut(Unprocessable):
    """The number is on SNS's opt-out list (it replied STOP): it is never sent to."""

    def __init__(self, number: str) -> None:
        super().__init__(
            f"{number} has opted out of text messages (a STOP reply): nothing is sent to it.",
            field_errors={PHONE_FIELD: [f"{number} has opted out of text messages."]},
        )


def declined_event_id(message: OutboxMessage) -> str:
    return f"{message.message_id}-declined"


def record_declined(invoice: Invoice, message: OutboxMessage, *, actor: Actor, now: datetime) -> Change:
    """The notification was asked for without the customer's consent: recorded, never sent."""
    channel = _CHANNELS[message.kind]
    description = f"{channel.title()} notification to {message.recipient} not sent: no customer consent."
    event = new_event(
        actor, now, EventType.NOTIFICATION_DECLINED, description, lambda: declined_event_id(message)
    ).model_copy(update={"channel": channel, "recipient": message.recipient, "errorCode": "NO_CONSENT"})
    return Change(touched(invoice, actor, now), event)


class Notifications:
    def __init__(
        self,
        invoices: workflow.InvoiceStore,
        tenants: TenantLookup,
        outbox: MailOutbox,
        queue: DeliveryQueue,
        suppressions: SuppressionList,
        opt_outs: OptOutList,
        mail_counter: MailCounter,
        sms_counter: MailCounter,
        telemetry: Telemetry,
        *,
        default_mail_quota_per_day: int,
        default_sms_quota_per_day: int,
    ) -> None:
        self._invoices = invoices
        self._tenants = tenants
        self._outbox = outbox
        self._queue = queue
        self._suppressions = suppressions
        self._opt_outs = opt_outs
        self._mail_counter = mail_counter
        self._sms_counter = sms_counter
        self._telemetry = telemetry
        self._default_mail_quota_per_day = default_mail_quota_per_day
        self._default_sms_quota_per_day = default_sms_quota_per_day

    def email(
        self, actor: Actor, invoice_id: str, address: str, *, consent: bool, request_key: str, now: datetime
    ) -> OutboxMessage:
        """Mail the invoice, with its hosted link, to `address`."""
        message = self._message(actor, invoice_id, MailKind.NOTIFICATION, address, request_key)
        invoice = self._consented(actor, message, consent, now)
        reason = self._suppressions.reason_not_to_mail(actor.tenant_id, address)
        if reason is not None:
            raise AddressSuppressed(address, reason)
        tenant = require_tenant(self._tenants, actor.tenant_id)
        quota = MailQuota.of(tenant, self._default_mail_quota_per_day)
        return self._queued(actor, invoice, message, self._mail_counter, quota, now)

    def sms(
        self, actor: Actor, invoice_id: str, number: str, *, consent: bool, request_key: str, now: datetime
    ) -> OutboxMessage:
        """Text the invoice's number, amount, due date and short link to `number` (any format: E.164 here)."""
        message = self._message(actor, invoice_id, MailKind.SMS, e164(number), request_key)
        invoice = self._consented(actor, message, consent, now)
        if self._opt_outs.is_opted_out(message.recipient):
            raise NumberOptedOut(message.recipient)
        own = require_tenant(self._tenants, actor.tenant_id).sms_quota_per_day
        per_day = self._default_sms_quota_per_day if own is None else own
        quota = MailQuota(actor.tenant_id, per_day, what="text messages")
        return self._queued(actor, invoice, message, self._sms_counter, quota, now)

    @staticmethod
    def _message(
        actor: Actor, invoice_id: str, kind: MailKind, recipient: str, request_key: str
    ) -> OutboxMessage:
        return OutboxMessage(actor.tenant_id, invoice_id, kind, recipient, request_key, actor.subject)

    def _consented(self, actor: Actor, message: OutboxMessage, consent: bool, now: datetime) -> Invoice:
        """The published invoice, once the customer's consent is known; a refusal is recorded, then 422."""
        invoice = self._invoices.get(actor.tenant_id, message.invoice_id)
        if invoice.status not in PUBLISHED_STATUSES or invoice.invoiceNumber is None:
            raise Conflict(f"{NOT_PUBLISHED} Invoice {invoice.id} is {invoice.status}.")
        if not consent:
            workflow.change_invoice_once(
                self._invoices,
                actor.tenant_id,
                invoice.id,
                declined_event_id(message),
                lambda current: record_declined(current, message, actor=actor, now=now),
            )
            raise Unprocessable(
                "The customer has not consented to this notification: nothing is sent (the refusal is "
                "recorded in the invoice's history).",
                field_errors={"customerConsent": ["Must be true: ask the customer first."]},
            )
        return invoice

    def _queued(
        self,
        actor: Actor,
        invoice: Invoice,
        message: OutboxMessage,
        counter: MailCounter,
        quota: MailQuota,
        now: datetime,
    ) -> OutboxMessage:
        """Counted once, recorded in the outbox and on the invoice once, then queued; a message the
        queue does not take is queued by the relay (as `InvoiceMail` does)."""
        if self._outbox.state_of(message) is None:
            counter.take(quota, now)
        self._outbox.record(message, now)
        workflow.change_invoice_once(
            self._invoices,
            actor.tenant_id,
            invoice.id,
            queued_event_id(message),
            lambda current: record_mail_queued(current, message, actor=actor, now=now),
        )
        try:
            self._queue.put(message)
        except DependencyUnavailable as error:
            self._telemetry.warning(
                "Notification left to the relay", mail_id=message.message_id, error=str(error)
            )
        self._telemetry.count(f"Notification{message.kind.title()}Queued")
        return message
