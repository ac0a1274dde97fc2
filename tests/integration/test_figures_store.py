"""Sharded figures and their reconciliation against moto: exact sums, one Query, never a Scan."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from devtools.admin import Target, command_reconcile_figures
from devtools.bench.inprocess import counting_aws_calls
from devtools.invoice_fixtures import new_invoice
from invoicing.adapters.dynamodb import bind
from invoicing.adapters.figures_store import FIGURES, SHARDS, DynamoFiguresRepository, FiguresItem
from invoicing.adapters.invoice_items import tenant_key
from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.auth.tokens import TokenPolicy
from invoicing.invoices import edits, kernel, lifecycle
from invoicing.invoices.enums import InvoiceStatus, PaymentMethod
from invoicing.invoices.figures import reconcile_figures
from invoicing.invoices.lifecycle import NumberingPolicy
from invoicing.invoices.model import InvoiceCreate, RowInput

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")


@pytest.fixture
def table(deployment) -> str:
    return deployment.ref("InvoicingTable")


def created(invoices: DynamoInvoiceRepository, amount: str = "100"):
    body = InvoiceCreate(currency="EUR", rows=[RowInput(quantity=Decimal(1), unitPrice=Decimal(amount))])
    change = edits.create_invoice(body, actor=ACTOR, now=NOW)
    return invoices.create(change.invoice, change.event)


def published(invoices: DynamoInvoiceRepository, sequence: int, amount: str = "100"):
    draft = created(invoices, amount)
    number = lifecycle.next_number(NumberingPolicy(), 2026, sequence - 1)
    change = lifecycle.publish(draft, number, actor=ACTOR, now=NOW)
    return invoices.save(change.invoice, change.event, previous=draft, number=number)


def test_figures_spread_over_shards_and_read_back_summed_with_one_query(table):
    invoices = DynamoInvoiceRepository(table)
    drafts = [created(invoices) for _ in range(30)]
    sent = [published(invoices, n, "10.10") for n in range(1, 6)]
    paid = lifecycle.add_payment(sent[0], Decimal("10.10"), NOW, PaymentMethod.CASH, actor=ACTOR, now=NOW)
    invoices.save(paid.invoice, paid.event, previous=sent[0])
    invoices.delete(drafts[0])

    with counting_aws_calls() as calls:
        figures = DynamoFiguresRepository(table).get("acme")

    items = bind(FiguresItem, table).query(
        tenant_key("acme"), bind(FiguresItem, table).sk.startswith(FIGURES)
    )
    assert calls.calls == ["Query"]
    assert 2 < len({item.sk.split("#")[1] for item in items}) <= SHARDS
    assert {status: count for status, count in figures.count_by_status.items() if count} == {
        "DRAFT": 29,
        "SENT": 4,
        "PAID": 1,
    }
    assert figures.amounts_by_currency["EUR"] == {
        "invoiced": Decimal("50.50"),
        "paid": Decimal("10.10"),
        "outstanding": Decimal("40.40"),
        "overdue": Decimal("0"),
    }


def test_figures_of_earlier_unsharded_items_are_summed_in(table):
    items = bind(FiguresItem, table)
    items(pk=tenant_key("acme"), sk=FIGURES, count_DRAFT=2).save()
    items(pk=tenant_key("acme"), sk=f"{FIGURES}#EUR", invoiced=Decimal("5"), paid=Decimal("1")).save()
    created(DynamoInvoiceRepository(table))

    figures = DynamoFiguresRepository(table).get("acme")

    assert figures.count_by_status["DRAFT"] == 3
    assert (figures.total("invoiced", "EUR"), figures.total("paid", "EUR")) == (Decimal("5"), Decimal("1"))


def test_reconciliation_finds_bulk_imported_invoices_missing_from_the_figures_and_repairs_them(table):
    invoices = DynamoInvoiceRepository(table)
    figures = DynamoFiguresRepository(table)
    for _ in range(3):
        created(invoices)
    published(invoices, 1, "20")
    rows = [{"quantity": 1, "unitPrice": "7.25"}]
    imported = [
        new_invoice("acme", status=InvoiceStatus.SENT, invoice_number=f"OLD-{n}", rows=rows)
        for n in range(120)
    ]
    invoices.import_invoices(imported)
    imported_total = sum((invoice.total for invoice, _ in imported), Decimal(0))

    with counting_aws_calls() as calls:
        report = reconcile_figures(invoices, figures, "acme")
    repaired = reconcile_figures(invoices, figures, "acme", repair=True)
    after = reconcile_figures(invoices, figures, "acme")

    assert "Scan" not in calls.calls
    assert calls.calls.count("BatchGetItem") == 2
    assert (report.invoices, report.agrees, report.repaired) == (124, False, False)
    assert report.difference.counts == {"SENT": 120}
    assert report.difference.amounts["EUR"]["invoiced"] == imported_total
    assert repaired.repaired
    assert after.agrees
    current = figures.get("acme")
    assert current.count_by_status["SENT"] == 121
    assert current.total("outstanding", "EUR") == imported_total + Decimal("20")


def test_the_admin_command_reports_then_repairs(table, capsys):
    invoices = DynamoInvoiceRepository(table)
    created(invoices)
    invoices.import_invoices([new_invoice("acme")])
    target = Target(
        table,
        "unused",
        TokenPolicy("issuer", "audience", ("HS256",)),
        "billing@acme.test",
        False,
        stack=None,  # reconciling reads the table only
    )

    with pytest.raises(SystemExit, match="differ from its 2 invoices; --repair corrects them"):
        command_reconcile_figures(target, argparse.Namespace(tenant="acme", repair=False))
    reported = capsys.readouterr().out
    repaired = command_reconcile_figures(target, argparse.Namespace(tenant="acme", repair=True))
    agreed = command_reconcile_figures(target, argparse.Namespace(tenant="acme", repair=False))

    assert "count DRAFT: recorded 1, recomputed 2 (+1)" in reported
    assert repaired == "figures of acme repaired from its 2 invoices: 1 corrected"
    assert agreed == "figures of acme agree with its 2 invoices"
