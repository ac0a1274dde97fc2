"""The invoices function's use cases: new drafts with the tenant's defaults, reads, edits, and
deletion with the invoice's files. Storage comes in through Protocols, as in `workflow`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from invoicing.clock import utc_now
from invoicing.invoices import edits, workflow
from invoicing.invoices.kernel import Actor, ChangeFunction
from invoicing.invoices.model import Event, Invoice, InvoiceCreate, InvoiceFields, RowInput
from invoicing.tenants.model import TenantLookup, require_tenant
from invoicing.tenants.settings import SettingsStore, with_defaults

#: the most invoices one listing answers with (page through more with /page)
MAX_LISTED = 500


class EditableInvoices(workflow.InvoiceStore, Protocol):
    def create(self, invoice: Invoice, event: Event) -> Invoice: ...

    def get_many(self, tenant_id: str, invoice_ids: Iterable[str]) -> list[Invoice]: ...

    def ids_by_invoice_date(self, tenant_id: str, limit: int) -> list[str]: ...

    def ids_by_opportunity(self, tenant_id: str, opportunity_id: str, limit: int) -> list[str]: ...

    def delete(self, invoice: Invoice) -> None: ...


class InvoiceFiles(Protocol):
    def delete_invoice_files(self, tenant_id: str, invoice_id: str) -> None:
        """Every version of the invoice's PDFs and attachments."""
        ...


class InvoiceEditing:
    def __init__(
        self,
        invoices: EditableInvoices,
        tenants: TenantLookup,
        settings: SettingsStore,
        files: InvoiceFiles,
        follow_send_schedule: Callable[[Invoice], None],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._invoices = invoices
        self._follow_send_schedule = follow_send_schedule
        self._tenants = tenants
        self._settings = settings
        self._files = files
        self._clock = clock

    def create(self, actor: Actor, fields: InvoiceCreate) -> Invoice:
        """A new draft with the tenant's defaults (settings, else the tenant's currency) where
        `fields` leave them out."""
        defaults = self._settings.get(actor.tenant_id).settings.defaults
        complete = with_defaults(
            fields, defaults, lambda: require_tenant(self._tenants, actor.tenant_id).default_currency
        )
        change = edits.create_invoice(
            complete, actor=actor, now=self._clock(), tax_rounding=defaults.taxRounding
        )
        return self._invoices.create(change.invoice, change.event)

    def find(self, tenant_id: str, invoice_id: str) -> Invoice:
        return self._invoices.get(tenant_id, invoice_id)

    def find_many(self, tenant_id: str, invoice_ids: list[str]) -> list[Invoice]:
        return self._invoices.get_many(tenant_id, invoice_ids)

    def newest(self, tenant_id: str) -> list[Invoice]:
        """The tenant's newest invoices by invoice date, at most MAX_LISTED."""
        return self._invoices.get_many(tenant_id, self._invoices.ids_by_invoice_date(tenant_id, MAX_LISTED))

    def by_opportunity(self, tenant_id: str, opportunity_id: str) -> list[Invoice]:
        ids = self._invoices.ids_by_opportunity(tenant_id, opportunity_id, MAX_LISTED)
        return self._invoices.get_many(tenant_id, ids)

    def _change(self, actor: Actor, invoice_id: str, change: ChangeFunction) -> Invoice:
        return workflow.change_as(self._invoices, actor, invoice_id, change)

    def update(self, actor: Actor, invoice_id: str, patch: InvoiceFields) -> Invoice:
        """The changed invoice; a scheduled one whose send follows its date has its send schedule
        moved with it (the sweep sends it should that fail)."""
        updated = self._change(
            actor,
            invoice_id,
            lambda current, by: edits.update_invoice(current, patch, actor=by, now=self._clock()),
        )
        self._follow_send_schedule(updated)
        return updated

    def add_row(self, actor: Actor, invoice_id: str, row: RowInput) -> Invoice:
        return self._change(
            actor, invoice_id, lambda current, by: edits.add_row(current, row, actor=by, now=self._clock())
        )

    def remove_row(self, actor: Actor, invoice_id: str, row_id: str) -> Invoice:
        return self._change(
            actor,
            invoice_id,
            lambda current, by: edits.remove_row(current, row_id, actor=by, now=self._clock()),
        )

    def add_comment(self, actor: Actor, invoice_id: str, comment: str) -> Invoice:
        return self._change(
            actor,
            invoice_id,
            lambda current, by: edits.add_comment(current, comment, actor=by, now=self._clock()),
        )

    def link_opportunity(self, actor: Actor, invoice_id: str, opportunity_id: str) -> Invoice:
        return self._change(
            actor,
            invoice_id,
            lambda current, by: edits.link_opportunity(current, opportunity_id, actor=by, now=self._clock()),
        )

    def delete(self, actor: Actor, invoice_ids: list[str]) -> None:
        """Checks every invoice first, so one that may not be deleted stops them all; then each
        invoice, and every version of its PDFs and attachments."""
        targets = [self._invoices.get(actor.tenant_id, invoice_id) for invoice_id in invoice_ids]
        for invoice in targets:
            edits.ensure_deletable(invoice)
        for invoice in targets:
            self._invoices.delete(invoice)
            self._files.delete_invoice_files(invoice.tenantId, invoice.id)
