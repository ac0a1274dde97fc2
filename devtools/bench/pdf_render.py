"""PDF render time: a one-page invoice and a 500-row invoice, through the PDF layer's renderer.

Renders in this process with the same content model the function builds, after one untimed render
(the function's first request also parses the embedded fonts). Targets: one page under 30 ms,
500 rows under 1 s.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING

from devtools.bench.report import Section
from devtools.bench.stats import summarize
from devtools.template import ROOT

if TYPE_CHECKING:
    from invoicing.documents.content import InvoiceDocument

SECTION = "pdf-render"
#: the PDF layer's source: package `invoice_pdf`, as /opt/python holds it on Lambda
RENDERER_DIRECTORY = ROOT / "layers" / "pdf"
TARGETS_MS = {"one-page invoice (3 rows)": 30.0, "500-row invoice": 1000.0}
ROW_COUNTS = {"one-page invoice (3 rows)": 3, "500-row invoice": 500}
RUNS = 10


def _renderer() -> ModuleType:
    if str(RENDERER_DIRECTORY) not in sys.path:
        sys.path.insert(0, str(RENDERER_DIRECTORY))
    import invoice_pdf

    return invoice_pdf


def _document(rows: int) -> InvoiceDocument:
    from invoicing.documents.content import invoice_document
    from invoicing.documents.theme import Theme
    from invoicing.invoices import edits, kernel
    from invoicing.invoices.model import InvoiceCreate
    from invoicing.tenants.model import Tenant

    now = datetime(2026, 11, 22, tzinfo=UTC)
    body = {
        "currency": "EUR",
        "invoiceDate": "2026-11-22T00:00:00Z",
        "paymentTermDays": 14,
        "note": "Zahlbar ohne Abzug. Dziękujemy!",
        "customer": {"companyName": "Łódź Dostawy Sp. z o.o.", "firstName": "Zoë", "lastName": "Ødegård"},
        "rows": [
            {
                "description": f"Beratung Größe, Ærøskøbing, item {index}" + " with more words" * (index % 4),
                "quantity": 1 + index % 7,
                "quantityType": "HOURS",
                "unitPrice": "120.125",
                "discountPercentage": 10 if index % 3 == 0 else 0,
                "taxRate": 19 if index % 2 else 7,
            }
            for index in range(rows)
        ],
    }
    invoice = edits.create_invoice(
        InvoiceCreate.model_validate(body), actor=kernel.Actor("bench", "bench"), now=now
    ).invoice
    seller = Tenant("bench", 1, "Acme Müller GmbH", "EUR", "billing@acme.test", now)
    return invoice_document(invoice, seller, Theme(footerText="Acme Müller GmbH · IBAN DE00 0000 0000"))


def run(runs: int = RUNS) -> Section:
    renderer = _renderer()
    lines = [
        "## PDF render time",
        "",
        f"fpdf2 in-process, median and p90 of {runs} renders after one untimed render "
        "(`devtools/bench/pdf_render.py`).",
        "",
        "| invoice | pages | size | median | p90 | target |",
        "|---|---|---|---|---|---|",
    ]
    failures = []
    for label, rows in ROW_COUNTS.items():
        document = _document(rows)
        content = renderer.render_pdf(document)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            renderer.render_pdf(document)
            samples.append(time.perf_counter() - started)
        summary = summarize(samples)
        target = TARGETS_MS[label]
        pages = content.count(b"/Type /Page") - content.count(b"/Type /Pages")
        lines.append(
            f"| {label} | {pages} | {len(content) // 1024} KiB | {summary.median_ms:.1f} ms "
            f"| {summary.p90_ms:.1f} ms | < {target:.0f} ms |"
        )
        if summary.median_ms > target:
            failures.append(f"{label}: median {summary.median_ms:.1f} ms, target {target:.0f} ms")
    return Section(SECTION, "\n".join(lines), failures=tuple(failures))
