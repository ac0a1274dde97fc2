"""The mail outbox: one item per mail in its invoice's partition (the queue that carries it is
`invoicing.adapters.delivery_queue`).

`TENANT#<t>#INVOICE#<id>` / `MAIL#<messageId>` moves PENDING -> SENDING -> SENT, each step a
conditional write, so of all the workers that receive a message only one sends it:
- `record` writes the PENDING item (unless it exists), due for the relay in RELAY_AFTER. A message
  the queue never got is still delivered: the outbox relay job finds PENDING items past due through
  the `DueJobs` index (`due`, a Query per day and shard, never a Scan) and queues them again;
- `claim` takes the item to SENDING with a lease, and off the relay's list; a lease that ran out
  (a worker that died before recording the send) may be claimed again, and so may a FAILED mail
  (a redrive from the DLQ);
- `mark_sent` records the SES message id and ends the item's life as SENT;
- `mark_failed` records why a mail was given up (FAILED); a redrive may claim it again;
- `mark_cancelled` records why a claimed mail may no longer be sent (CANCELLED: the invoice was
  paid, cancelled or deleted meanwhile); a cancelled mail is never claimed again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, PynamoDBException, UpdateError
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind
from invoicing.adapters.invoice_items import invoice_key
from invoicing.adapters.job_shards import JOB_SHARDS, job_shard
from invoicing.errors import DependencyUnavailable
from invoicing.mail.message import OutboxMessage
from invoicing.mail.ports import Claim, MailRecord, MailState

MAIL_PREFIX = "MAIL#"
#: how long a PENDING mail waits for its worker before the relay queues it again
RELAY_AFTER = timedelta(minutes=2)
JOB_KIND = "OUTBOX"


def _job_partition(day: datetime, shard: int) -> str:
    return f"{JOB_KIND}#{day:%Y-%m-%d}#{shard}"


def job_key(due: datetime, invoice_id: str) -> str:
    """`OUTBOX#<day>#<shard>`: a day's due mail spread over ten partitions of the index."""
    return _job_partition(due, job_shard(invoice_id))


def job_sort_key(due: datetime, message: OutboxMessage) -> str:
    return f"{due:%Y-%m-%dT%H:%M:%S}Z#{message.tenant_id}#{message.invoice_id}#{message.message_id}"


class DueJobs(GlobalSecondaryIndex["MailItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "DueJobs"
        projection = KeysOnlyProjection()

    jobKey = UnicodeAttribute(hash_key=True)
    jobSortKey = UnicodeAttribute(range_key=True)


class MailItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    mailState = UnicodeAttribute()
    #: the OutboxMessage as JSON: what the relay queues again
    message = UnicodeAttribute()
    leaseUntil = NumberAttribute(default=0)
    sesMessageId = UnicodeAttribute(null=True)
    failure = UnicodeAttribute(null=True)
    jobKey = UnicodeAttribute(null=True)
    jobSortKey = UnicodeAttribute(null=True)
    due_jobs = DueJobs()


def _conditional_failure(error: PynamoDBException) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


class DynamoMailOutbox:
    def __init__(self, table_name: str) -> None:
        self._items: type[MailItem] = bind(MailItem, table_name)

    def _item(self, message: OutboxMessage) -> MailItem:
        return self._items(
            invoice_key(message.tenant_id, message.invoice_id), f"{MAIL_PREFIX}{message.message_id}"
        )

    def _read(self, message: OutboxMessage) -> MailItem | None:
        return self._read_key(
            invoice_key(message.tenant_id, message.invoice_id), f"{MAIL_PREFIX}{message.message_id}"
        )

    def _read_key(self, pk: str, sk: str) -> MailItem | None:
        try:
            return self._items.get(pk, sk, consistent_read=True)
        except self._items.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading the mail outbox failed: {error.msg}") from error

    def state_of(self, message: OutboxMessage) -> MailState | None:
        item = self._read(message)
        return None if item is None else MailState(item.mailState)

    def ses_message_id(self, message: OutboxMessage) -> str | None:
        item = self._read(message)
        return None if item is None else item.sesMessageId

    def record_of(self, tenant_id: str, invoice_id: str, mail_id: str) -> MailRecord | None:
        """The mail `mail_id` of an invoice, as a notification names it; None when there is none."""
        item = self._read_key(invoice_key(tenant_id, invoice_id), f"{MAIL_PREFIX}{mail_id}")
        return None if item is None else MailRecord(MailState(item.mailState), item.sesMessageId)

    def record(self, message: OutboxMessage, now: datetime) -> None:
        """Record the mail as PENDING, once per message id, due for the relay after RELAY_AFTER."""
        due = now + RELAY_AFTER
        item = self._item(message)
        item.mailState, item.message = MailState.PENDING, message.to_json()
        item.jobKey, item.jobSortKey = job_key(due, message.invoice_id), job_sort_key(due, message)
        try:
            item.save(condition=self._items.pk.does_not_exist())
        except PutError as error:
            if not _conditional_failure(error):
                raise DependencyUnavailable(f"Recording the mail failed: {error.msg}") from error

    def due(self, now: datetime, days: int) -> Iterator[OutboxMessage]:
        """PENDING mail past its relay time, over the last `days` days: one Query per day and shard."""
        until = f"{now:%Y-%m-%dT%H:%M:%S}Z"
        for day in range(days):
            for shard in range(JOB_SHARDS):
                partition = _job_partition(now - timedelta(days=day), shard)
                try:
                    entries = list(self._items.due_jobs.query(partition, self._items.jobSortKey <= until))
                except PynamoDBException as error:
                    raise DependencyUnavailable(f"Reading due mail failed: {error.msg}") from error
                for entry in entries:
                    item = self._read_key(entry.pk, entry.sk)
                    if item is not None and item.mailState == MailState.PENDING:
                        yield OutboxMessage.from_json(item.message)

    def postpone(self, message: OutboxMessage, now: datetime) -> None:
        """Due again after RELAY_AFTER, unless a worker took it meanwhile."""
        due = now + RELAY_AFTER
        items = self._items
        try:
            self._item(message).update(
                actions=[
                    items.jobKey.set(job_key(due, message.invoice_id)),
                    items.jobSortKey.set(job_sort_key(due, message)),
                ],
                condition=items.mailState == MailState.PENDING,
            )
        except UpdateError as error:
            if not _conditional_failure(error):
                raise DependencyUnavailable(f"Postponing the mail failed: {error.msg}") from error

    def claim(self, message: OutboxMessage, now: datetime, lease: timedelta) -> Claim:
        """Take the mail to SENDING until `now + lease`, unless it is sent or cancelled, or another
        worker holds it."""
        items = self._items
        claimable = (
            items.pk.does_not_exist()
            | items.mailState.is_in(MailState.PENDING, MailState.FAILED)
            | ((items.mailState == MailState.SENDING) & (items.leaseUntil < now.timestamp()))
        )
        try:
            self._item(message).update(
                actions=[
                    items.mailState.set(MailState.SENDING),
                    items.message.set(message.to_json()),
                    items.leaseUntil.set((now + lease).timestamp()),
                    items.jobKey.remove(),
                    items.jobSortKey.remove(),
                ],
                condition=claimable,
            )
        except UpdateError as error:
            if not _conditional_failure(error):
                raise DependencyUnavailable(f"Claiming the mail failed: {error.msg}") from error
            state = self.state_of(message)
            if state is MailState.SENT:
                return Claim.ALREADY_SENT
            return Claim.CANCELLED if state is MailState.CANCELLED else Claim.IN_PROGRESS
        return Claim.CLAIMED

    def mark_sent(self, message: OutboxMessage, ses_message_id: str) -> None:
        items = self._items
        try:
            self._item(message).update(
                actions=[items.mailState.set(MailState.SENT), items.sesMessageId.set(ses_message_id)],
                condition=items.mailState == MailState.SENDING,
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Recording the sent mail failed: {error.msg}") from error

    def release(self, message: OutboxMessage) -> None:
        """Hand a claimed mail back (PENDING) after a send that failed, so the retry need not wait
        for the lease to run out."""
        items = self._items
        try:
            self._item(message).update(
                actions=[items.mailState.set(MailState.PENDING), items.leaseUntil.set(0)],
                condition=items.mailState == MailState.SENDING,
            )
        except UpdateError as error:
            if not _conditional_failure(error):
                raise DependencyUnavailable(f"Releasing the mail failed: {error.msg}") from error

    def mark_failed(self, message: OutboxMessage, reason: str) -> None:
        """Give the mail up, unless it was sent or cancelled meanwhile."""
        self._end(message, MailState.FAILED, reason)

    def mark_cancelled(self, message: OutboxMessage, reason: str) -> None:
        """The mail may no longer be sent (`reason`): never claimed again (unless it was sent meanwhile)."""
        self._end(message, MailState.CANCELLED, reason)

    def _end(self, message: OutboxMessage, state: MailState, reason: str) -> None:
        items = self._items
        try:
            self._item(message).update(
                actions=[
                    items.mailState.set(state),
                    items.failure.set(reason[:1000]),
                    items.jobKey.remove(),
                    items.jobSortKey.remove(),
                ],
                condition=~items.mailState.is_in(MailState.SENT, MailState.CANCELLED),
            )
        except UpdateError as error:
            if not _conditional_failure(error):
                raise DependencyUnavailable(f"Recording the mail as {state} failed: {error.msg}") from error
