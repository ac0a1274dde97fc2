"""AWS calls and items read by the invoice and figure routes, at two tenant sizes.

Runs the functions in-process against moto with the template's table, seeds a tenant with N
invoices (a few through the real create-and-publish path, so the figures are live, the rest by
batched import), then counts the AWS API calls and the items each route reads. A read by id must
be a single call, and a figure route must make the same calls at any size and read at most the
figure items there can be: a count and a EUR total per shard, and the tenant. How many shards hold
figures depends on the random ids of the live invoices, not on the tenant's size.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from devtools.bench.inprocess import CallLog, counting_aws_calls, load_function, use_in_process_aws
from devtools.bench.report import Section
from devtools.template import ROOT, LocalDeployment, local_deployment
from invoicing.adapters.figures_store import SHARDS

TENANT_SIZES = (100, 10_000)
SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
ROUTES = (
    ("GET /v1/invoices/find/{id}", "InvoicesFunction", "invoices/find-invoice.json"),
    ("GET /v1/invoices/find?ids= (2 ids)", "InvoicesFunction", "invoices/find-invoices.json"),
    ("GET /v1/invoices/by-opportunity/{id}", "InvoicesFunction", "invoices/find-by-opportunity.json"),
    ("PATCH /v1/invoices/{id}/update", "InvoicesFunction", "invoices/update-invoice.json"),
    ("POST /v1/invoices/{id}/rows", "InvoicesFunction", "invoices/add-row.json"),
    ("POST /v1/invoices", "InvoicesFunction", "invoices/create-invoice.json"),
    ("GET /v1/invoices/count-by-status", "FiguresFunction", "figures/count-by-status.json"),
    ("GET /v1/invoices/stats", "FiguresFunction", "figures/stats.json"),
    ("GET /v1/invoices/date-range", "FiguresFunction", "figures/date-range.json"),
)
SINGLE_CALL_ROUTE = ROUTES[0][0]
CONSTANT_ROUTES = tuple(label for label, function, _ in ROUTES if function == "FiguresFunction")
#: a count item and a EUR totals item per figures shard, and the tenant item
MAX_FIGURE_ITEMS = 2 * SHARDS + 1
#: invoices that go through the real create and publish path, so the figures are moved
LIVE_INVOICES = 5
#: invoices linked to the sample event's opportunity, whatever the tenant's size
OPPORTUNITY_INVOICES = 10


def _event(sample: str, invoice_id: str) -> dict[str, Any]:
    text = (ROOT / "events" / sample).read_text(encoding="utf-8").replace(SAMPLE_ID, invoice_id)
    event: dict[str, Any] = json.loads(text)
    event["requestContext"]["authorizer"]["tenantId"] = "bench"
    return event


def _seed(deployment: LocalDeployment, size: int) -> str:
    """A tenant with `size` invoices; returns the id of one of them."""
    from invoicing.adapters.invoice_store import DynamoInvoiceRepository
    from invoicing.adapters.tenant_store import DynamoTenantRepository
    from invoicing.invoices import edits, kernel
    from invoicing.invoices.lifecycle import NumberingPolicy
    from invoicing.invoices.model import InvoiceCreate, RowInput
    from invoicing.invoices.workflow import publish_invoice
    from invoicing.tenants.model import NewTenant

    table = deployment.ref("InvoicingTable")
    now = datetime.now(UTC).replace(microsecond=0)
    DynamoTenantRepository(table).create_tenant(
        NewTenant("bench", "Bench", "EUR", "b@bench.test"), created=now
    )
    actor = kernel.Actor(tenant_id="bench", subject="bench")
    changes = []
    for number in range(size):
        fields = InvoiceCreate(
            currency="EUR",
            invoiceDate=now,
            opportunityId="opp-42" if number < OPPORTUNITY_INVOICES else None,
            rows=[RowInput(description=f"Item {number}", quantity=Decimal(1), unitPrice=Decimal(number))],
        )
        change = edits.create_invoice(fields, actor=actor, now=now)
        changes.append((change.invoice, change.event))
    repository = DynamoInvoiceRepository(table)
    repository.import_invoices(changes[LIVE_INVOICES:])
    policy = NumberingPolicy()
    for invoice, event in changes[:LIVE_INVOICES]:
        repository.create(invoice, event)
        publish_invoice(repository, policy, "bench", invoice.id, actor=actor, now=now)
    return changes[-1][0].id


def measure(size: int) -> dict[str, CallLog]:
    from moto import mock_aws

    from devtools.stack.moto_patches import snapshot_named_items_only
    from devtools.stack.provision import provision_resources

    snapshot_named_items_only()
    results: dict[str, CallLog] = {}
    with mock_aws():
        deployment = local_deployment()
        provision_resources(deployment, None)
        invoice_id = _seed(deployment, size)
        functions = {
            name: load_function(deployment, name) for name in ("InvoicesFunction", "FiguresFunction")
        }
        context = SimpleNamespace(
            function_name="invoices",
            memory_limit_in_mb=512,
            aws_request_id="bench",
            invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:invoices",
        )
        for label, function, sample in ROUTES:
            event = _event(sample, invoice_id)
            with counting_aws_calls() as log:
                response = functions[function].lambda_handler(event, context)
            if response["statusCode"] >= 400:
                raise RuntimeError(f"{label} answered {response['statusCode']}: {response['body']}")
            results[label] = log
    return results


def _missed_targets(by_size: dict[int, dict[str, CallLog]], sizes: tuple[int, ...]) -> tuple[str, ...]:
    missed = []
    for size in sizes:
        single = by_size[size][SINGLE_CALL_ROUTE]
        if len(single.calls) != 1:
            missed.append(f"{SINGLE_CALL_ROUTE} made {len(single.calls)} calls at {size:,} invoices")
    for label in CONSTANT_ROUTES:
        logs = [by_size[size][label] for size in sizes]
        if len({tuple(log.calls) for log in logs}) != 1:
            missed.append(f"{label} made {[log.calls for log in logs]} calls across tenant sizes")
        missed += [
            f"{label} read {log.items_read} items at {size:,} invoices (at most {MAX_FIGURE_ITEMS})"
            for size, log in zip(sizes, logs, strict=True)
            if log.items_read > MAX_FIGURE_ITEMS
        ]
    return tuple(missed)


def run(sizes: tuple[int, ...] = TENANT_SIZES) -> Section:
    use_in_process_aws()
    by_size = {size: measure(size) for size in sizes}
    header = "| route | " + " | ".join(f"calls @ {size:,} | items read @ {size:,}" for size in sizes) + " |"
    lines = [header, "|---|" + "---|---|" * len(sizes)]
    for label, _, _ in ROUTES:
        cells = []
        for size in sizes:
            log = by_size[size][label]
            cells.append(f"{len(log.calls)} ({', '.join(log.calls)}) | {log.items_read}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    failures = _missed_targets(by_size, sizes)
    markdown = "\n".join(
        [
            "## AWS calls per invoice route",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d} by `make bench`: the functions in-process against moto,",
            "a tenant seeded with the given number of invoices. Targets: a read by id is one call at any",
            "size; the figure routes make the same calls at any size and read at most the figure items",
            f"there can be ({MAX_FIGURE_ITEMS}: a count and a EUR total per shard, and the tenant; how many",
            "shards hold figures depends on the live invoices' random ids, not on the tenant's size).",
            "",
            *lines,
        ]
    )
    return Section(name="aws-calls", markdown=markdown, failures=failures)
