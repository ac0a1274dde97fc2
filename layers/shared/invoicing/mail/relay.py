"""The outbox relay: queues again the mail the queue never got (a scheduled job).

A mail request records the outbox item (PENDING, due for the relay two minutes on), then the
invoice's MAIL_QUEUED, then puts the message on the queue. The worker's claim takes the item off the
relay's list, so what the relay finds past due is mail whose message was lost or not yet taken.
It queues each again (the worker's claim makes a duplicate harmless) and sets it due once more.
An item whose invoice does not record it two minutes on (longer than any API request may run)
belongs to a request that failed after the outbox write: it is given up, never sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from invoicing.errors import NotFound
from invoicing.invoices import workflow
from invoicing.mail.ports import DeliveryQueue, MailOutbox, Telemetry
from invoicing.mail.trail import queued_event_id

#: days of due mail a run looks at: a relay that was down for a day still finds what it missed
LOOKBACK_DAYS = 3


@dataclass(frozen=True)
class Relayed:
    requeued: int
    abandoned: int


class OutboxRelay:
    def __init__(
        self, invoices: workflow.InvoiceStore, outbox: MailOutbox, queue: DeliveryQueue, telemetry: Telemetry
    ) -> None:
        self._invoices = invoices
        self._outbox = outbox
        self._queue = queue
        self._telemetry = telemetry

    def run(self, now: datetime) -> Relayed:
        """Queue again, or give up, every mail past its relay time at `now`."""
        requeued = abandoned = 0
        for message in list(self._outbox.due(now, LOOKBACK_DAYS)):
            try:
                invoice = self._invoices.get(message.tenant_id, message.invoice_id)
            except NotFound:
                invoice = None
            if invoice is not None and invoice.has_event(queued_event_id(message)):
                self._queue.put(message)
                self._outbox.postpone(message, now)
                requeued += 1
            else:
                self._outbox.mark_failed(message, "the request that asked for it failed")
                abandoned += 1
        self._telemetry.count("MailRequeued", requeued)
        self._telemetry.count("MailAbandoned", abandoned)
        self._telemetry.info("Outbox relayed", requeued=requeued, abandoned=abandoned)
        return Relayed(requeued, abandoned)
