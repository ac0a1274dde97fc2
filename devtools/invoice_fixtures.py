"""Invoices for tests and benchmarks, bulk-imported with the tenant's figures moved to match.

`DynamoInvoiceRepository.import_invoices` does not move the per-tenant figures; `import_with_figures`
also adds the imported invoices' counts and totals to them, so searches whose totals come from the
figures see the imported invoices. `new_invoice` builds an invoice in any status with every figure
computed by the one calculator.

`python -m devtools.invoice_fixtures --state-dir DIR < invoices.json` imports into a running local
stack: a JSON list of `{"invoice": ..., "event": ...}` documents.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from invoicing.invoices import edits, kernel
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.figures import FiguresDelta, figures_delta
from invoicing.invoices.model import Event, Invoice, InvoiceCreate

FIXTURE_TIME = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def new_invoice(
    tenant_id: str,
    *,
    status: InvoiceStatus = InvoiceStatus.DRAFT,
    invoice_number: str | None = None,
    created: datetime = FIXTURE_TIME,
    **fields: Any,
) -> tuple[Invoice, Event]:
    """A new invoice of `tenant_id` from create-body `fields` (currency EUR unless given), then put in
    `status` with `invoice_number`, as the lifecycle would leave it."""
    body = InvoiceCreate.model_validate({"currency": "EUR", **fields})
    change = edits.create_invoice(body, actor=kernel.Actor(tenant_id, "fixtures"), now=created)
    invoice = change.invoice.model_copy(update={"status": status, "invoiceNumber": invoice_number})
    return invoice, change.event


def _summed(deltas: Iterable[FiguresDelta]) -> FiguresDelta:
    counts: Counter[str] = Counter()
    amounts: dict[str, Counter[str]] = {}
    for delta in deltas:
        counts.update(delta.counts)
        for currency, moved in delta.amounts.items():
            amounts.setdefault(currency, Counter()).update(moved)
    return FiguresDelta(
        counts=dict(counts),
        amounts={currency: {k: Decimal(v) for k, v in moved.items()} for currency, moved in amounts.items()},
    )


def import_with_figures(table_name: str, changes: Iterable[tuple[Invoice, Event]]) -> None:
    from pynamodb.transactions import TransactWrite

    from invoicing.adapters.dynamodb import transaction_connection
    from invoicing.adapters.figures_store import DynamoFiguresRepository
    from invoicing.adapters.invoice_store import DynamoInvoiceRepository

    changes = list(changes)
    DynamoInvoiceRepository(table_name).import_invoices(changes)
    figures = DynamoFiguresRepository(table_name)
    for tenant_id in sorted({invoice.tenantId for invoice, _ in changes}):
        tenants_invoices = [invoice for invoice, _ in changes if invoice.tenantId == tenant_id]
        delta = _summed(figures_delta(None, invoice) for invoice in tenants_invoices)
        with TransactWrite(connection=transaction_connection()) as transaction:
            figures.add_to(transaction, tenant_id, delta)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.invoice_fixtures", description=__doc__)
    parser.add_argument("--state-dir", type=Path, required=True, help="the local stack's state directory")
    arguments = parser.parse_args(argv)

    from devtools.stack.state import read_stack_state
    from devtools.template import local_deployment

    state = read_stack_state(arguments.state_dir)
    os.environ.update(
        AWS_ENDPOINT_URL=state.moto_endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=state.region,
        AWS_REGION=state.region,
    )
    documents = json.load(sys.stdin)
    changes = [
        (Invoice.model_validate(document["invoice"]), Event.model_validate(document["event"]))
        for document in documents
    ]
    import_with_figures(local_deployment(state.parameters).ref("InvoicingTable"), changes)
    print(f"imported {len(changes)} invoices")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
