"""Items read and AWS calls of the search routes, at two tenant sizes.

Runs the search function in-process against moto with the template's table and seeds a tenant by
batched import (20 invoices a day, going back from today, statuses in turn), so a one-week range
holds the same invoices at every size; items read are counted as `devtools.bench.inprocess` says.
Targets: the first page unfiltered, by status and by a one-week range read the same number of
items and make the same calls whatever the tenant's size.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from devtools.bench.inprocess import CallLog, counting_aws_calls, load_function, use_in_process_aws
from devtools.bench.report import Section
from devtools.template import REGION, ROOT, LocalDeployment, local_deployment

TENANT_SIZES = (1_000, 20_000)
INVOICES_PER_DAY = 20
PAGE_SIZE = 20
#: "page 50": the fiftieth page, pageNumber 49
DEEP_PAGE = 49
TENANT = "bench"


def _seed(deployment: LocalDeployment, size: int, today: datetime) -> None:
    from devtools.invoice_fixtures import import_with_figures, new_invoice
    from invoicing.invoices.enums import InvoiceStatus

    statuses = list(InvoiceStatus)
    changes = [
        new_invoice(
            TENANT,
            status=statuses[number % len(statuses)],
            invoiceDate=today - timedelta(days=number // INVOICES_PER_DAY),
            rows=[{"description": f"Item {number}", "quantity": 1, "unitPrice": number}],
        )
        for number in range(size)
    ]
    import_with_figures(deployment.ref("InvoicingTable"), changes)


def _event(route: str, query: dict[str, list[str]]) -> dict[str, Any]:
    sample = {"page": "find-page.json", "dynamic-search": "dynamic-search.json"}[route]
    event: dict[str, Any] = json.loads((ROOT / "events" / "search" / sample).read_text(encoding="utf-8"))
    event["requestContext"]["authorizer"]["tenantId"] = TENANT
    event["multiValueQueryStringParameters"] = query
    event["queryStringParameters"] = {name: values[-1] for name, values in query.items()}
    return event


def requests(today: datetime, page_size: int, deep_page: int) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(label, route, query) in the order they run; a label starting with "_" runs unreported."""
    week_start, week_end = today - timedelta(days=13), today - timedelta(days=7)
    week = [f"invoiceDateFrom:{week_start:%Y-%m-%d}", f"invoiceDateTo:{week_end:%Y-%m-%d}"]
    size = [str(page_size)]
    deep = {"pageNumber": [str(deep_page)], "pageSize": size}
    return [
        ("first page, unfiltered", "page", {"pageSize": size}),
        ("first page, status SENT", "dynamic-search", {"filters": ["status:SENT"], "size": size}),
        ("first page, one week of invoice dates", "dynamic-search", {"filters": week, "size": size}),
        (f"page {deep_page + 1}, jumped to from page 1", "page", deep),
        ("_the page before", "page", {"pageNumber": [str(deep_page - 1)], "pageSize": size}),
        (f"page {deep_page + 1}, right after page {deep_page}", "page", deep),
    ]


def measure(size: int, page_size: int, deep_page: int) -> dict[str, CallLog]:
    from moto import mock_aws

    from devtools.stack.moto_patches import snapshot_named_items_only
    from devtools.stack.provision import provision_resources

    snapshot_named_items_only()
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    context = SimpleNamespace(
        function_name="search",
        memory_limit_in_mb=1024,
        aws_request_id="bench",
        invoked_function_arn=f"arn:aws:lambda:{REGION}:123456789012:function:search",
    )
    results: dict[str, CallLog] = {}
    with mock_aws():
        deployment = local_deployment()
        provision_resources(deployment, None)
        _seed(deployment, size, today)
        function = load_function(deployment, "SearchFunction")
        for label, route, query in requests(today, page_size, deep_page):
            with counting_aws_calls() as log:
                response = function.lambda_handler(_event(route, query), context)
            page = json.loads(response["body"])
            if response["statusCode"] != 200 or not page["content"]:
                raise RuntimeError(f"{label} answered {response['statusCode']}: {response['body'][:300]}")
            results[label] = log
    return results


CONSTANT_REQUESTS = 3


def run(
    sizes: tuple[int, ...] = TENANT_SIZES, page_size: int = PAGE_SIZE, deep_page: int = DEEP_PAGE
) -> Section:
    use_in_process_aws()
    by_size = {size: measure(size, page_size, deep_page) for size in sizes}
    reported = requests(datetime.now(UTC), page_size, deep_page)
    labels = [label for label, _, _ in reported if not label.startswith("_")]
    header = "| request | " + " | ".join(f"items read @ {size:,} | calls @ {size:,}" for size in sizes) + " |"
    lines = [header, "|---|" + "---|---|" * len(sizes)]
    for label in labels:
        cells = []
        for size in sizes:
            log = by_size[size][label]
            cells.append(f"{log.items_read:,} | {len(log.calls)} ({', '.join(log.calls)})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    failures = tuple(
        f"{label!r} read {[by_size[size][label].items_read for size in sizes]} items "
        f"in {[len(by_size[size][label].calls) for size in sizes]} calls across tenant sizes"
        for label in labels[:CONSTANT_REQUESTS]
        if len({(by_size[size][label].items_read, len(by_size[size][label].calls)) for size in sizes}) != 1
    )
    markdown = "\n".join(
        [
            "## Search costs",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d} by `make bench`: the search function in-process",
            f"against moto, a tenant of the given size ({INVOICES_PER_DAY} invoices a day, statuses in",
            f"turn), pages of {page_size}. Items read: the items a Query evaluates (ScannedCount), the",
            "items GetItem and BatchGetItem return. Target: the first three read the same items in the",
            "same calls at every size. ARCHITECTURE.md (cost model) explains each figure.",
            "",
            *lines,
        ]
    )
    return Section(name="search-costs", markdown=markdown, failures=failures)
