"""Recording what SES reports of a mail (delivery, bounce, complaint) on its invoice.

Each outcome becomes one DELIVERED, BOUNCED or COMPLAINED event on the invoice, with an id derived
from the mail, the outcome and the recipient, so a notification delivered twice is recorded once.
A hard bounce or a complaint puts the address on the tenant's suppression list. A notification
counts only when its SES message id is the one the outbox recorded for the mail its tags name;
any other (tags anyone sending through the shared identity could write) is ignored and logged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from invoicing.backoff import Sleep
from invoicing.clock import utc_now
from invoicing.errors import NotFound
from invoicing.invoices import workflow
from invoicing.invoices.kernel import Actor
from invoicing.mail import trail
from invoicing.mail.notifications import (
    MailNotification,
    MailOutcome,
    is_of_recorded_mail,
    parse_ses_notification,
)
from invoicing.mail.ports import MailOutbox, MailState, SuppressionList, Telemetry

#: who the invoice's audit trail names for what SES reported
SES_ACTOR_SUBJECT = "ses"
#: SES may report a mail before the worker's next write records SES's id for it: wait at most ~3 s
RECORD_WAITS_SECONDS = (0.1, 0.2, 0.4, 0.8, 1.6)


class DeliveryReports:
    def __init__(
        self,
        invoices: workflow.InvoiceStore,
        outbox: MailOutbox,
        suppressions: SuppressionList,
        telemetry: Telemetry,
        *,
        sleep: Sleep = time.sleep,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._invoices = invoices
        self._outbox = outbox
        self._suppressions = suppressions
        self._telemetry = telemetry
        self._sleep = sleep
        self._clock = clock

    def record(self, notification_message: str, notification_id: str) -> None:
        """Record the outcomes a notification (SES's JSON) reports, if it is about a mail we sent."""
        notification = parse_ses_notification(notification_message)
        if notification is None:
            self._telemetry.info("Not an invoice mail notification", sns_message_id=notification_id)
            return
        if not is_of_recorded_mail(notification, self._recorded_ses_message_id(notification)):
            self._telemetry.warning(
                "Notification not of the mail its tags name: ignored",
                tenant_id=notification.tenant_id,
                invoice_id=notification.invoice_id,
                mail_id=notification.mail_id,
                ses_message_id=notification.ses_message_id,
            )
            self._telemetry.count("MailNotificationIgnored")
            return
        for outcome in notification.outcomes:
            self._record(notification, outcome)

    def _recorded_ses_message_id(self, notification: MailNotification) -> str | None:
        """SES's id for the mail the notification's tags name, as the outbox recorded it."""
        for wait in (*RECORD_WAITS_SECONDS, None):
            record = self._outbox.record_of(
                notification.tenant_id, notification.invoice_id, notification.mail_id
            )
            if (
                record is None
                or record.ses_message_id
                or record.state is not MailState.SENDING
                or wait is None
            ):
                return None if record is None else record.ses_message_id
            self._sleep(wait)
        return None

    def _record(self, notification: MailNotification, outcome: MailOutcome) -> None:
        now = self._clock()
        if outcome.suppress_reason is not None:
            self._suppressions.suppress(
                notification.tenant_id, outcome.recipient, outcome.suppress_reason, now
            )
        actor = Actor(tenant_id=notification.tenant_id, subject=SES_ACTOR_SUBJECT)
        try:
            workflow.change_invoice_once(
                self._invoices,
                notification.tenant_id,
                notification.invoice_id,
                trail.notification_event_id(notification.mail_id, outcome.event_type, outcome.recipient),
                lambda current: trail.record_mail_notification(
                    current,
                    notification.mail_id,
                    outcome.event_type,
                    outcome.recipient,
                    outcome.detail,
                    actor=actor,
                    now=now,
                ),
            )
        except NotFound:
            self._telemetry.info("Mail event for a deleted invoice", invoice_id=notification.invoice_id)
        self._telemetry.count(f"Mail{outcome.event_type.title()}")
