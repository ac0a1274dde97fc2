"""The invoices' and the lifecycle's use cases over in-memory ports: the caller's tenant, defaults,
deleting all or nothing, the paid date, and the dashboard's totals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from invoicing.errors import Conflict, NotFound
from invoicing.invoices import edits, kernel, workflow
from invoicing.invoices.dashboard import Dashboard
from invoicing.invoices.editing import InvoiceEditing
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.figures import TenantFigures
from invoicing.invoices.model import Event, Invoice, InvoiceCreate, RowInput
from invoicing.invoices.transitions import InvoiceTransitions
from invoicing.tenants.model import NewTenant
from invoicing.tenants.settings import Defaults, StoredSettings, TenantSettings
from tests.fakes import InMemoryTenantRepository

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ALICE = kernel.Actor(tenant_id="acme", subject="alice")


class InMemoryInvoices:
    def __init__(self) -> None:
        self.invoices: dict[tuple[str, str], Invoice] = {}
        self.sequence = 0

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        try:
            return self.invoices[tenant_id, invoice_id]
        except KeyError:
            raise NotFound(f"Invoice {invoice_id} not found.") from None

    def get_many(self, tenant_id: str, invoice_ids: Iterable[str]) -> list[Invoice]:
        return [self.invoices[tenant_id, i] for i in invoice_ids if (tenant_id, i) in self.invoices]

    def create(self, invoice: Invoice, event: Event) -> Invoice:
        stored = invoice.model_copy(update={"version": 1, "events": [event]})
        self.invoices[invoice.tenantId, invoice.id] = stored
        return stored

    def save(self, invoice: Invoice, *events: Event, previous: Invoice, number: object = None) -> Invoice:
        stored = invoice.model_copy(update={"version": previous.version + len(events)})
        self.invoices[invoice.tenantId, invoice.id] = stored
        if number is not None:
            self.sequence += 1
        return stored

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        return self.sequence

    def delete(self, invoice: Invoice) -> None:
        del self.invoices[invoice.tenantId, invoice.id]

    def ids_by_invoice_date(self, tenant_id: str, limit: int) -> list[str]:
        return [i for t, i in self.invoices if t == tenant_id][:limit]

    def ids_by_opportunity(self, tenant_id: str, opportunity_id: str, limit: int) -> list[str]:
        return [
            i
            for (t, i), inv in self.invoices.items()
            if t == tenant_id and inv.opportunityId == opportunity_id
        ]

    def invoice_date_bounds(self, tenant_id: str) -> tuple[datetime | None, datetime | None]:
        dates = [inv.invoiceDate for (t, _), inv in self.invoices.items() if t == tenant_id]
        return (min(dates), max(dates)) if dates else (None, None)


class FixedSettings:
    def __init__(self, defaults: Defaults | None = None) -> None:
        self.settings = TenantSettings(defaults=defaults or Defaults())

    def get(self, tenant_id: str) -> StoredSettings:
        return StoredSettings(self.settings, 0)

    def save(self, tenant_id: str, settings: TenantSettings, *, read_version: int) -> StoredSettings:
        raise NotImplementedError


class Files:
    def __init__(self) -> None:
        self.deleted: list[tuple[str, str]] = []

    def delete_invoice_files(self, tenant_id: str, invoice_id: str) -> None:
        self.deleted.append((tenant_id, invoice_id))


@pytest.fixture
def tenants() -> InMemoryTenantRepository:
    repository = InMemoryTenantRepository()
    repository.create_tenant(NewTenant("acme", "Acme", "USD", "billing@acme.test"), created=NOW)
    return repository


@pytest.fixture
def invoices() -> InMemoryInvoices:
    return InMemoryInvoices()


def editing(
    invoices, tenants, defaults: Defaults | None = None, files: Files | None = None
) -> InvoiceEditing:
    return InvoiceEditing(
        invoices,
        tenants,
        FixedSettings(defaults),
        files or Files(),
        follow_send_schedule=lambda invoice: None,
        clock=lambda: NOW,
    )


def draft(invoices: InvoiceEditing) -> Invoice:
    rows = [RowInput(quantity=Decimal(2), unitPrice=Decimal("50"))]
    return invoices.create(ALICE, InvoiceCreate(currency="EUR", rows=rows))


def test_a_change_is_made_by_the_actor_on_an_invoice_of_its_tenant(invoices, tenants):
    invoice = draft(editing(invoices, tenants))
    other_tenant = kernel.Actor(tenant_id="globex", subject="mallory")

    commented = workflow.change_as(
        invoices, ALICE, invoice.id, lambda current, by: edits.add_comment(current, "hi", actor=by, now=NOW)
    )

    assert commented.updatedBy == "alice"
    with pytest.raises(NotFound):
        workflow.change_as(
            invoices,
            other_tenant,
            invoice.id,
            lambda current, by: edits.add_comment(current, "hi", actor=by, now=NOW),
        )


def test_a_new_draft_takes_the_settings_defaults_else_the_tenants_currency(invoices, tenants):
    with_defaults = editing(invoices, tenants, Defaults(currency="CHF", paymentTermDays=45))

    from_settings = with_defaults.create(ALICE, InvoiceCreate())
    from_tenant = editing(invoices, tenants).create(ALICE, InvoiceCreate())

    assert (from_settings.currency, from_settings.paymentTermDays) == ("CHF", 45)
    assert from_tenant.currency == "USD"
    assert (from_settings.createdBy, from_settings.tenantId) == ("alice", "acme")


def test_one_invoice_that_may_not_be_deleted_keeps_every_one_and_their_files(invoices, tenants):
    files = Files()
    use_case = editing(invoices, tenants, files=files)
    kept, published = draft(use_case), draft(use_case)
    InvoiceTransitions(invoices, tenants, FixedSettings(), clock=lambda: NOW).publish(ALICE, published.id)

    with pytest.raises(Conflict):
        use_case.delete(ALICE, [kept.id, published.id])
    assert [invoice.id for invoice in use_case.find_many("acme", [kept.id, published.id])] == [
        kept.id,
        published.id,
    ]
    assert files.deleted == []

    use_case.delete(ALICE, [kept.id])
    assert files.deleted == [("acme", kept.id)]
    assert use_case.find_many("acme", [kept.id]) == []


def test_marked_as_paid_on_a_date_is_paid_at_midnight_utc_else_now(invoices, tenants):
    use_case = editing(invoices, tenants)
    transitions = InvoiceTransitions(invoices, tenants, FixedSettings(), clock=lambda: NOW)
    on_date, today = draft(use_case), draft(use_case)
    for invoice in (on_date, today):
        transitions.publish(ALICE, invoice.id)

    paid_on_date = transitions.mark_as_paid(ALICE, on_date.id, date(2026, 11, 20))
    paid_today = transitions.mark_as_paid(ALICE, today.id)

    assert paid_on_date.status is InvoiceStatus.PAID
    assert paid_on_date.datePaid == datetime(2026, 11, 20, tzinfo=UTC)
    assert paid_today.datePaid == NOW


class OneTenantsFigures:
    def get(self, tenant_id: str) -> TenantFigures:
        return TenantFigures(
            count_by_status={"SENT": 2, "PAID": 1},
            amounts_by_currency={
                "USD": {"invoiced": Decimal(300), "paid": Decimal(100), "outstanding": Decimal(200)},
                "EUR": {"invoiced": Decimal(50)},
            },
        )


def test_the_stats_state_the_tenants_currency_and_every_currency_with_zeros_filled_in(invoices, tenants):
    stats = Dashboard(OneTenantsFigures(), invoices, tenants).stats("acme")

    assert (stats.currency, stats.totalInvoiced, stats.totalOutstanding, stats.totalOverdue) == (
        "USD",
        Decimal(300),
        Decimal(200),
        Decimal(0),
    )
    assert stats.byCurrency["EUR"].paid == Decimal(0)
    assert stats.countByStatus == {"SENT": 2, "PAID": 1}
