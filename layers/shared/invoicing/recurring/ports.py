"""What the recurring job needs from outside (Protocols). The adapters: the invoice store
(`invoicing.adapters.invoice_store`), the `DueJobs` entries (`invoicing.adapters.invoice_jobs`) and
the mail requests (`invoicing.mail.requests.InvoiceMail`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from invoicing.invoices.kernel import Actor
from invoicing.invoices.model import Event, Invoice
from invoicing.invoices.workflow import InvoiceStore


class Occurrences(InvoiceStore, Protocol):
    def create(self, invoice: Invoice, event: Event) -> Invoice:
        """Store a new invoice, on the condition that none has its id (InvoiceChanged otherwise)."""
        ...


class DueEntry(Protocol):
    @property
    def tenant_id(self) -> str: ...

    @property
    def invoice_id(self) -> str: ...

    @property
    def due(self) -> datetime:
        """The time the entry says (UTC, whole seconds)."""
        ...


class DueTemplates(Protocol):
    """Every invoice whose entry of `kind` is due at or before `now`, however long ago."""

    def due(self, kind: str, now: datetime) -> Iterable[DueEntry]: ...

    def forget(self, kind: str, entry: DueEntry, read: Invoice | None) -> bool:
        """Remove a stale entry, only if it and its template (`read`; None: gone) are unchanged;
        False when they changed (the entry is fresh) or it is gone already."""
        ...


class OccurrenceMail(Protocol):
    """Publishes a draft and queues its mail through the outbox, once per `request_key`."""

    def send(self, actor: Actor, invoice_id: str, *, request_key: str, now: datetime) -> object: ...
