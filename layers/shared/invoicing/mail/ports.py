"""What the mail use cases need from outside (Protocols): the outbox, the delivery queue, the
suppression list, the daily quota, SES, and where counts and notes go. The adapters are in
`invoicing.adapters` (mail_outbox, delivery_queue, suppressions, mail_quota, mail_sender), and the
telemetry in `invoicing.wiring.telemetry`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum
from typing import Protocol

from invoicing.mail.message import OutboxMessage
from invoicing.mail.quota import MailQuota


class MailState(StrEnum):
    """An outbox item's life: PENDING -> SENDING -> SENT, or FAILED (a redrive may claim it again),
    or CANCELLED (never claimed again)."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class Claim(StrEnum):
    """What a worker's claim on a mail found."""

    CLAIMED = "CLAIMED"
    ALREADY_SENT = "ALREADY_SENT"
    IN_PROGRESS = "IN_PROGRESS"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class MailRecord:
    """What the outbox knows of one mail: its state and, once SES took it, SES's message id."""

    state: MailState
    ses_message_id: str | None


class MailOutbox(Protocol):
    """One item per mail; every transition a conditional write (DynamoMailOutbox)."""

    def state_of(self, message: OutboxMessage) -> MailState | None: ...

    def ses_message_id(self, message: OutboxMessage) -> str | None: ...

    def record_of(self, tenant_id: str, invoice_id: str, mail_id: str) -> MailRecord | None: ...

    def record(self, message: OutboxMessage, now: datetime) -> None: ...

    def due(self, now: datetime, days: int) -> Iterator[OutboxMessage]: ...

    def postpone(self, message: OutboxMessage, now: datetime) -> None: ...

    def claim(self, message: OutboxMessage, now: datetime, lease: timedelta) -> Claim: ...

    def mark_sent(self, message: OutboxMessage, ses_message_id: str) -> None: ...

    def release(self, message: OutboxMessage) -> None: ...

    def mark_failed(self, message: OutboxMessage, reason: str) -> None: ...

    def mark_cancelled(self, message: OutboxMessage, reason: str) -> None: ...


class DeliveryQueue(Protocol):
    """Carries outbox messages to the delivery worker (SqsDeliveryQueue)."""

    def put(self, message: OutboxMessage) -> None:
        """DependencyUnavailable when the queue does not take it."""
        ...


class Redelivery(Protocol):
    """Brings a received message back later (SqsRedelivery)."""

    def retry_later(self, queue_arn: str, receipt_handle: str, delay_seconds: int) -> None: ...


class SuppressionList(Protocol):
    def reason_not_to_mail(self, tenant_id: str, address: str) -> str | None: ...

    def suppress(self, tenant_id: str, address: str, reason: str, now: datetime) -> None: ...


class MailCounter(Protocol):
    """A tenant's count of accepted mails per UTC day (DynamoMailQuota)."""

    def ensure_left(self, quota: MailQuota, now: datetime) -> None: ...

    def take(self, quota: MailQuota, now: datetime) -> None: ...


class MailSender(Protocol):
    """Sends a composed mail and answers the id the mail service gave it (SesMailSender)."""

    def send(
        self, message: EmailMessage, source: str, recipient: str, *, tags: Mapping[str, str] | None = None
    ) -> str: ...


class Telemetry(Protocol):
    """Where the use cases count what happened (metrics) and note it (structured logs)."""

    def count(self, name: str, value: int = 1) -> None: ...

    def info(self, message: str, **fields: object) -> None: ...

    def warning(self, message: str, **fields: object) -> None: ...
