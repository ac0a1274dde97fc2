"""AWS calls and items read by each job of the template, at two tenant sizes with the same work due.

A tenant of N invoices holds DUE_PER_KIND of each kind of work due at AT: scheduled sends, recurring
templates, and sent invoices past their due date. Of the rest, half are drafts and half are
scheduled a year later, so the index partitions a job reads hold far more than what is due. Every
schedule event of the template (in `make jobs` order) then runs once as of AT, in-process against
moto, and what it asks of AWS is counted. A job reads in proportion to what is due, so the figures
must be the same at both sizes.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from devtools.bench.inprocess import CallLog, counting_aws_calls, load_function, use_in_process_aws
from devtools.bench.report import Section
from devtools.template import LocalDeployment, local_deployment

TENANT_SIZES = (1_000, 20_000)
DUE_PER_KIND = 10
AT = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


def _seed(deployment: LocalDeployment, size: int) -> None:
    """A tenant of `size` invoices, DUE_PER_KIND of each kind of work due at AT."""
    from invoicing.adapters.invoice_store import DynamoInvoiceRepository
    from invoicing.adapters.tenant_store import DynamoTenantRepository
    from invoicing.invoices import edits, kernel, lifecycle
    from invoicing.invoices.enums import EventType
    from invoicing.invoices.model import Invoice, InvoiceCreate, RecurringAgreementInput, RowInput
    from invoicing.scheduling import sending
    from invoicing.tenants.model import NewTenant

    table = deployment.ref("InvoicingTable")
    created = AT - timedelta(days=30)
    DynamoTenantRepository(table).create_tenant(
        NewTenant("bench", "Bench", "EUR", "b@bench.test"), created=created
    )
    actor = kernel.Actor(tenant_id="bench", subject="bench")

    def draft(number: int, **fields: Any) -> Invoice:
        create = InvoiceCreate(
            currency="EUR",
            contactEmail="ap@bench.test",
            invoiceDate=AT - timedelta(days=1),
            rows=[RowInput(description=f"Item {number}", quantity=Decimal(1), unitPrice=Decimal(number + 1))],
            **fields,
        )
        return edits.create_invoice(create, actor=actor, now=created).invoice

    def scheduled(number: int, at: datetime) -> Invoice:
        return sending.schedule(
            draft(number), at, follows_invoice_date=False, client_pdf=None, actor=actor, now=created
        ).invoice

    def template(number: int) -> Invoice:
        agreement = RecurringAgreementInput(intervalMonths=1, nextInvoiceDate=AT - timedelta(hours=1))
        return draft(number, recurringAgreement=agreement)

    def overdue(number: int) -> Invoice:
        invoice = draft(number, paymentTermDays=0)
        assignment = lifecycle.NumberAssignment("bench", number + 1, f"B-{number + 1:06d}")
        return lifecycle.publish(invoice, assignment, actor=actor, now=created).invoice

    invoices = [scheduled(number, AT - timedelta(minutes=30)) for number in range(DUE_PER_KIND)]
    invoices += [template(DUE_PER_KIND + number) for number in range(DUE_PER_KIND)]
    invoices += [overdue(2 * DUE_PER_KIND + number) for number in range(DUE_PER_KIND)]
    for number in range(len(invoices), size):
        later = AT + timedelta(days=365)
        invoices.append(scheduled(number, later) if number % 2 else draft(number))
    event = kernel.new_event(actor, created, EventType.CREATE, "Invoice created.", kernel.new_id)
    DynamoInvoiceRepository(table).import_invoices((invoice, event) for invoice in invoices)


def measure(size: int) -> dict[str, CallLog]:
    """Each job's calls and items read, run once as of AT on a tenant of `size` invoices."""
    from moto import mock_aws

    from devtools.stack.jobs import job_order
    from devtools.stack.moto_patches import snapshot_named_items_only
    from devtools.stack.provision import provision_resources
    from devtools.stack.schedules import schedule_payload

    snapshot_named_items_only()
    results: dict[str, CallLog] = {}
    with mock_aws():
        deployment = local_deployment()
        provision_resources(deployment, None)
        _seed(deployment, size)
        for schedule in job_order(deployment):
            function = load_function(deployment, schedule.function)
            context = SimpleNamespace(
                function_name=schedule.function,
                memory_limit_in_mb=512,
                aws_request_id="bench",
                invoked_function_arn=deployment.arn(schedule.function),
                get_remaining_time_in_millis=lambda: 60_000,
            )
            with counting_aws_calls() as log:
                function.lambda_handler(schedule_payload(deployment, schedule, AT), context)
            results[f"{schedule.function} {schedule.name}"] = log
    return results


def _calls(log: CallLog) -> str:
    return ", ".join(f"{operation} x{count}" for operation, count in sorted(Counter(log.calls).items()))


def run(sizes: tuple[int, ...] = TENANT_SIZES) -> Section:
    use_in_process_aws()
    by_size = {size: measure(size) for size in sizes}
    jobs = list(by_size[sizes[0]])
    header = "| job | " + " | ".join(f"calls @ {size:,} | items read @ {size:,}" for size in sizes) + " |"
    lines = [header, "|---|" + "---|---|" * len(sizes)]
    for job in jobs:
        logs = [by_size[size][job] for size in sizes]
        cells = [f"{len(log.calls)} ({_calls(log)}) | {log.items_read}" for log in logs]
        lines.append(f"| {job} | " + " | ".join(cells) + " |")
    failures = tuple(
        f"{job} read {[by_size[size][job].items_read for size in sizes]} items and made "
        f"{[len(by_size[size][job].calls) for size in sizes]} calls across tenant sizes"
        for job in jobs
        if len({(by_size[size][job].items_read, len(by_size[size][job].calls)) for size in sizes}) != 1
    )
    about = (
        f"Measured {datetime.now(UTC):%Y-%m-%d} by `make bench`: every schedule event of the template "
        f"run once as of {AT:%Y-%m-%dT%H:%MZ}, in-process against moto, on a tenant of the given size "
        f"with {DUE_PER_KIND} scheduled sends, {DUE_PER_KIND} recurring templates and {DUE_PER_KIND} "
        "sent invoices past due (half of the rest are scheduled a year later). Target: the same calls "
        "and items read at both sizes, since a job reads what is due through `DueJobs`, never the table."
    )
    markdown = "\n".join(["## AWS calls per job", "", textwrap.fill(about, 100), "", *lines])
    return Section(name="job-costs", markdown=markdown, failures=failures)
