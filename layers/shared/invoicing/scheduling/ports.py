"""What scheduled sending needs from outside (Protocols); the adapters are in `invoicing.adapters`
(invoice_store, send_schedules, invoice_jobs, document_store) and `invoicing.mail.requests`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from invoicing.invoices.kernel import Actor
from invoicing.invoices.model import Invoice
from invoicing.invoices.workflow import InvoiceStore


class ScheduledInvoices(InvoiceStore, Protocol):
    """The invoice store (DynamoInvoiceRepository)."""

    def get_many(self, tenant_id: str, invoice_ids: Iterable[str]) -> list[Invoice]: ...

    def ids_with_recurring_agreement(self, tenant_id: str, limit: int) -> list[str]: ...


class SendSchedules(Protocol):
    """One one-time schedule per scheduled invoice (EventBridgeSendSchedules); both calls are
    idempotent, and raise DependencyUnavailable when the scheduler does not answer."""

    def put(self, tenant_id: str, invoice_id: str, at: datetime) -> None:
        """Create the invoice's schedule to fire at `at`, or move it there."""
        ...

    def delete(self, tenant_id: str, invoice_id: str) -> None:
        """Remove the invoice's schedule; nothing when there is none."""
        ...


class ClientPdfs(Protocol):
    """Where the client's own PDF waits for its send (S3DocumentStore)."""

    def put_invoice_pdf(
        self, tenant_id: str, invoice_id: str, blob_id: str, content: bytes, file_name: str
    ) -> None: ...


class DueEntry(Protocol):
    @property
    def tenant_id(self) -> str: ...

    @property
    def invoice_id(self) -> str: ...

    @property
    def due(self) -> datetime:
        """The time the entry says (UTC, whole seconds)."""
        ...


class DueEntries(Protocol):
    """The `DueJobs` index (DynamoInvoiceJobs): every invoice whose entry of `kind` is due at or
    before `now`, however long ago."""

    def due(self, kind: str, now: datetime) -> Iterable[DueEntry]: ...

    def forget(self, kind: str, entry: DueEntry, read: Invoice | None) -> bool:
        """Remove a stale entry, only if it and its invoice (`read`; None: gone) are unchanged;
        False when they changed (the entry is fresh) or it is gone already."""
        ...


class InvoiceMail(Protocol):
    """Queues an invoice's mail through the outbox, once per `request_key` (invoicing.mail.requests)."""

    def send(
        self,
        actor: Actor,
        invoice_id: str,
        *,
        request_key: str,
        now: datetime,
        client_pdf_blob_id: str | None = None,
    ) -> object: ...


class Telemetry(Protocol):
    """Where the use cases count what happened (metrics) and note it (structured logs)."""

    def count(self, name: str, value: int = 1) -> None: ...

    def info(self, message: str, **fields: object) -> None: ...

    def warning(self, message: str, **fields: object) -> None: ...
