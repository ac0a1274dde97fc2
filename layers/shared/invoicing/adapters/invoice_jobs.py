"""Job entries: when an invoice is next due for each job, found across tenants through `DueJobs`.

An invoice due for a job of kind K carries the item `TENANT#<t>#INVOICE#<id>` / `JOB#<K>` with
`jobKey` = `<K>#<shard 0-9>` (the shard a hash of the invoice id, as the outbox's) and `jobSortKey`
= `<due time>Z#<t>#<id>`. `JOB_PLANS` says, for each kind, when an invoice is due (None: not due);
the invoice store writes or removes the entry in the invoice's own transaction whenever that answer
changes, and deleting the invoice removes its entries in the same transaction. An entry that
outlived its invoice anyway (left by a delete from before that, written by hand) or that its invoice
no longer plans by its time, the job that meets it removes with `forget`. The key has no day in
it: a job reads every entry due at or before its `now`, however long ago, with one Query per shard,
and what it reads grows with what is due, never with the table. Nothing Scans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind, transaction_connection
from invoicing.adapters.invoice_items import invoice_key
from invoicing.adapters.job_shards import JOB_SHARDS, job_shard
from invoicing.errors import DependencyUnavailable
from invoicing.invoices.model import Invoice
from invoicing.overdue.cadence import overdue_job_due_at
from invoicing.recurring.occurrences import RECURRING_JOB_KIND, next_issue
from invoicing.scheduling.ports import DueEntry
from invoicing.scheduling.sending import SEND_JOB, send_due

JOB_PREFIX = "JOB#"
#: the invoice header's sort key (`invoice_store.HEADER`)
INVOICE_HEADER = "INVOICE"

#: each job's answer to "when is this invoice next due for you?"
JOB_PLANS: dict[str, Callable[[Invoice], datetime | None]] = {
    "OVERDUE": overdue_job_due_at,
    SEND_JOB: send_due,
    RECURRING_JOB_KIND: next_issue,
}


@dataclass(frozen=True)
class DueInvoice:
    """An invoice whose entry of some kind is due, and the time the entry says (UTC)."""

    tenant_id: str
    invoice_id: str
    due: datetime


class DueJobs(GlobalSecondaryIndex["JobItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "DueJobs"
        projection = KeysOnlyProjection()

    jobKey = UnicodeAttribute(hash_key=True)
    jobSortKey = UnicodeAttribute(range_key=True)


class JobItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    jobKey = UnicodeAttribute(null=True)
    jobSortKey = UnicodeAttribute(null=True)
    due_jobs = DueJobs()


class InvoiceVersion(Model):
    """The invoice header, as far as `forget` checks it."""

    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    version = NumberAttribute(null=True)


def _moment(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%S}Z"


def job_partition(kind: str, invoice_id: str) -> str:
    return f"{kind}#{job_shard(invoice_id)}"


def job_sort_key(due: datetime, invoice: Invoice) -> str:
    return _sort_key(due, invoice.tenantId, invoice.id)


def _sort_key(due: datetime, tenant_id: str, invoice_id: str) -> str:
    return f"{_moment(due)}#{tenant_id}#{invoice_id}"


def changed_entries(invoice: Invoice, previous: Invoice | None) -> list[tuple[str, tuple[str, str] | None]]:
    """The job entries writing `invoice` over `previous` changes: (sort key, (jobKey, jobSortKey)),
    or (sort key, None) for an entry to remove."""
    changes: list[tuple[str, tuple[str, str] | None]] = []
    for kind, plan in JOB_PLANS.items():
        due = plan(invoice)
        if previous is not None and plan(previous) == due:
            continue
        if due is not None:
            changes.append((JOB_PREFIX + kind, (job_partition(kind, invoice.id), job_sort_key(due, invoice))))
        elif previous is not None:
            changes.append((JOB_PREFIX + kind, None))
    return changes


class DynamoInvoiceJobs:
    def __init__(self, table_name: str) -> None:
        self._items: type[JobItem] = bind(JobItem, table_name)
        self._headers: type[InvoiceVersion] = bind(InvoiceVersion, table_name)

    def entry(self, invoice: Invoice, sort_key: str, keys: tuple[str, str] | None) -> JobItem:
        """The entry item to save (with `keys`) or delete (without) for `invoice`."""
        item = self._items(pk=invoice_key(invoice.tenantId, invoice.id), sk=sort_key)
        if keys is not None:
            item.jobKey, item.jobSortKey = keys
        return item

    def due(self, kind: str, now: datetime) -> Iterator[DueInvoice]:
        """The invoices whose `kind` entry is due at or before `now`: one Query per shard."""
        until = _moment(now) + "~"  # '~' sorts after '#': entries due at `now` itself are in
        for shard in range(JOB_SHARDS):
            try:
                entries = list(self._items.due_jobs.query(f"{kind}#{shard}", self._items.jobSortKey <= until))
            except PynamoDBException as error:
                raise DependencyUnavailable(f"Reading due {kind} jobs failed: {error.msg}") from error
            for entry in entries:
                tenant_id, invoice_id = entry.pk.removeprefix("TENANT#").rsplit("#INVOICE#", 1)
                due = datetime.strptime(str(entry.jobSortKey)[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
                yield DueInvoice(tenant_id, invoice_id, due)

    def forget(self, kind: str, entry: DueEntry, read: Invoice | None) -> bool:
        """Remove `entry` (of `kind`), an entry its invoice as `read` (None: gone) does not plan.
        One transaction, conditional on the entry still saying `entry.due` and on the invoice being
        as read (still gone, or at the version read): an entry written meanwhile stays. False when
        the condition failed (a fresh entry, or it was removed already)."""
        key = invoice_key(entry.tenant_id, entry.invoice_id)
        headers = self._headers
        unchanged = headers.pk.does_not_exist() if read is None else headers.version == read.version
        stale = self._items.jobSortKey == _sort_key(entry.due, entry.tenant_id, entry.invoice_id)
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.condition_check(headers, key, INVOICE_HEADER, condition=unchanged)
                transaction.delete(self._items(pk=key, sk=JOB_PREFIX + kind), condition=stale)
        except TransactWriteError as error:
            if any(
                reason and reason.code == "ConditionalCheckFailed" for reason in error.cancellation_reasons
            ):
                return False
            raise DependencyUnavailable(f"Removing a stale {kind} job entry failed: {error.msg}") from error
        return True
