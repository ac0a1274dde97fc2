"""Recomputing a tenant's figures from its invoices, and when a difference may be repaired."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from invoicing.invoices import edits, kernel, lifecycle
from invoicing.invoices.enums import PaymentMethod
from invoicing.invoices.figures import (
    FiguresDelta,
    TenantFigures,
    correction,
    figures_delta,
    recompute,
    reconcile_figures,
)
from invoicing.invoices.lifecycle import NumberingPolicy
from invoicing.invoices.model import InvoiceCreate, RowInput

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")


def draft(amount: str = "100", currency: str = "EUR"):
    create = InvoiceCreate(currency=currency, rows=[RowInput(quantity=Decimal(1), unitPrice=Decimal(amount))])
    return edits.create_invoice(create, actor=ACTOR, now=NOW).invoice


def sent(amount: str = "100", currency: str = "EUR"):
    number = lifecycle.next_number(NumberingPolicy(), 2026, 0)
    return lifecycle.publish(draft(amount, currency), number, actor=ACTOR, now=NOW).invoice


def paid_part(invoice, amount: str):
    return lifecycle.add_payment(
        invoice, Decimal(amount), NOW, PaymentMethod.CASH, actor=ACTOR, now=NOW
    ).invoice


def recorded(*invoices) -> TenantFigures:
    """What the figures store holds after these invoices were created through it."""
    figures, _ = recompute(invoices)
    return figures


class Figures:
    """The figures store; `drift` is added to every read after the first `steady` reads."""

    def __init__(self, figures: TenantFigures, *, steady: int = 1000, drift: FiguresDelta | None = None):
        self.figures = figures
        self.reads = 0
        self.steady = steady
        self.drift = drift
        self.applied: list[FiguresDelta] = []

    def get(self, tenant_id):
        self.reads += 1
        if self.drift is not None and self.reads > self.steady:
            self._move(self.drift)
        return self.figures

    def apply(self, tenant_id, delta):
        self.applied.append(delta)
        self._move(delta)

    def _move(self, delta):
        counts = dict(self.figures.count_by_status)
        for status, change in delta.counts.items():
            counts[status] = counts.get(status, 0) + change
        amounts = {currency: dict(totals) for currency, totals in self.figures.amounts_by_currency.items()}
        for currency, moved in delta.amounts.items():
            totals = amounts.setdefault(currency, {})
            for metric, change in moved.items():
                totals[metric] = totals.get(metric, Decimal(0)) + change
        self.figures = TenantFigures(counts, amounts)


class Invoices:
    def __init__(self, *readings):
        self.readings = list(readings)

    def each_invoice(self, tenant_id):
        return self.readings.pop(0) if len(self.readings) > 1 else self.readings[0]


def test_recomputed_figures_count_every_status_and_add_money_per_currency():
    invoices = [draft(), sent("100"), paid_part(sent("200"), "50"), sent("30", "USD")]

    figures, count = recompute(invoices)

    assert count == 4
    assert {s: c for s, c in figures.count_by_status.items() if c} == {
        "DRAFT": 1,
        "SENT": 2,
        "PARTIALLY_PAID": 1,
    }
    assert figures.amounts_by_currency["EUR"] == {
        "invoiced": Decimal("300"),
        "paid": Decimal("50"),
        "outstanding": Decimal("250"),
        "overdue": Decimal(0),
    }
    assert figures.total("invoiced", "USD") == Decimal("30")


def test_recomputing_agrees_with_figures_moved_by_every_delta():
    invoice = sent("100")
    later = paid_part(invoice, "40")
    moved = [figures_delta(None, draft()), figures_delta(None, invoice), figures_delta(invoice, later)]
    store = Figures(TenantFigures({}, {}))
    for delta in moved:
        store.apply("acme", delta)

    assert correction(store.figures, recorded(draft(), later)).is_empty()


def test_a_difference_is_reported_and_left_alone_without_repair():
    invoices = [draft(), sent("100")]
    store = Figures(recorded(invoices[0]))

    result = reconcile_figures(Invoices(invoices), store, "acme")

    assert (result.agrees, result.settled, result.repaired, result.invoices) == (False, True, False, 2)
    assert result.difference == FiguresDelta(
        counts={"SENT": 1},
        amounts={"EUR": {"invoiced": Decimal("100"), "outstanding": Decimal("100")}},
    )
    assert store.applied == []


def test_repair_moves_the_recorded_figures_by_the_difference():
    invoices = [draft(), paid_part(sent("100"), "10")]
    store = Figures(recorded(invoices[0]))

    result = reconcile_figures(Invoices(invoices), store, "acme", repair=True)

    assert result.repaired
    assert correction(store.figures, recorded(*invoices)).is_empty()
    assert reconcile_figures(Invoices(invoices), store, "acme").agrees


def test_figures_that_move_during_the_recount_are_not_repaired():
    invoices = [draft()]
    store = Figures(recorded(), steady=1, drift=FiguresDelta(counts={"DRAFT": 1}))

    result = reconcile_figures(Invoices(invoices), store, "acme", repair=True)

    assert (result.settled, result.repaired) == (False, False)
    assert store.applied == []


def test_a_difference_the_second_recount_does_not_confirm_is_not_repaired():
    just_created = draft()
    store = Figures(recorded(just_created))

    result = reconcile_figures(Invoices([], [just_created]), store, "acme", repair=True)

    assert result.agrees
    assert store.applied == []
