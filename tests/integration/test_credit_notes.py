"""POST /v1/invoices/{invoiceId}/credit-note: the lifecycle function against moto."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.einvoice_validation import fatal_asserts
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
BUYER = {
    "companyName": "Globex Corporation",
    "billingAddress": {"line1": "1 rue de la Paix", "city": "Paris", "zip": "75002", "country": "FR"},
}
ROWS = [
    {"description": "Consulting", "quantity": 10, "unitPrice": "120.00", "taxRate": 19},
    {"description": "Book", "quantity": 2, "unitPrice": "12.50", "taxRate": 7},
]


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return {
        name: load_function(f"{name.title()}Function")
        for name in ("invoices", "lifecycle", "figures", "documents", "settings")
    }


def call(
    functions, sample: str, *, invoice_id: str = SAMPLE_ID, body: object = ..., **changes
) -> tuple[int, dict]:
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id)) | changes
    if body is not ...:
        event["body"] = json.dumps(body) if body is not None else None
    response = invoke(functions[sample.split("/")[0]], event)
    return response["statusCode"], json.loads(response["body"], parse_float=Decimal) if response.get(
        "body"
    ) else {}


def issued(functions) -> dict:
    create = json.loads(sample_event("invoices/create-invoice.json")["body"]) | {
        "customer": BUYER,
        "rows": ROWS,
    }
    status, invoice = call(functions, "invoices/create-invoice.json", body=create)
    assert status == 201, invoice
    status, sent = call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])
    assert status == 200, sent
    return sent


def credit(functions, invoice_id: str, body: object = ...) -> tuple[int, dict]:
    return call(functions, "lifecycle/credit-note.json", invoice_id=invoice_id, body=body)


def test_a_whole_credit_note_is_numbered_in_its_own_series_linked_both_ways_and_settles_the_invoice(
    functions,
):
    invoice = issued(functions)

    status, note = credit(functions, invoice["id"])
    _, credited = call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])
    _, counts = call(functions, "figures/count-by-status.json")

    assert status == 201
    assert note["documentType"] == "CREDIT_NOTE"
    assert note["status"] == "ISSUED"
    assert note["invoiceNumber"] == f"CN-{datetime.now(UTC).year}-00001"
    assert note["creditedInvoice"]["invoiceNumber"] == invoice["invoiceNumber"]
    assert note["total"] == invoice["total"]
    assert note["taxBreakdown"] == invoice["taxBreakdown"]
    assert note["note"] == "Returned goods: credited in full."
    assert credited["creditNotes"] == [
        {
            "id": note["id"],
            "invoiceNumber": note["invoiceNumber"],
            "total": note["total"],
            "created": note["created"],
        }
    ]
    assert credited["credited"] == invoice["total"]
    assert credited["amountDue"] == 0
    assert credited["status"] == "PAID"
    assert credited["events"][-1]["type"] == "CREDIT_NOTE_ISSUED"
    assert counts["ISSUED"] == 1
    assert counts["PAID"] == 1


def test_a_partial_credit_note_takes_its_rows_off_what_is_owed(functions):
    invoice = issued(functions)
    consulting = invoice["rows"][0]["id"]

    status, note = credit(
        functions,
        invoice["id"],
        {"rows": [{"rowId": consulting, "quantity": 2}], "reason": "Two hours too many"},
    )
    _, credited = call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])
    _, stats = call(functions, "figures/stats.json")

    assert status == 201
    assert [(row["quantity"], row["total"]) for row in note["rows"]] == [(2, Decimal("240.00"))]
    assert note["total"] == Decimal("285.60")
    assert credited["status"] == "SENT"
    assert credited["amountDue"] == invoice["total"] - Decimal("285.60")
    assert stats["totalOutstanding"] == credited["amountDue"]


def test_more_than_is_left_to_credit_is_refused_and_changes_nothing(functions):
    invoice = issued(functions)
    credit(functions, invoice["id"], {"rows": [{"rowId": invoice["rows"][0]["id"], "quantity": 9}]})

    status, problem = credit(
        functions, invoice["id"], {"rows": [{"rowId": invoice["rows"][0]["id"], "quantity": 2}]}
    )
    _, after = call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])

    assert status == 422
    assert "left to credit" in problem["detail"]
    assert len(after["creditNotes"]) == 1


@pytest.mark.parametrize(
    ("rows", "field"),
    [([{"rowId": "no-such-row"}], None), ([{"rowId": "first", "quantity": 11}], "rows[0].quantity")],
)
def test_a_credit_of_unknown_rows_or_more_than_a_row_holds_is_refused(functions, rows, field):
    invoice = issued(functions)
    rows = [{**row, "rowId": invoice["rows"][0]["id"]} if row["rowId"] == "first" else row for row in rows]

    status, problem = credit(functions, invoice["id"], {"rows": rows})

    assert status == (404 if field is None else 400)
    if field is not None:
        assert field in problem["errors"]


def test_drafts_cancelled_invoices_and_credit_notes_cannot_be_credited(functions):
    _, draft = call(functions, "invoices/create-invoice.json")
    cancelled = issued(functions)
    call(functions, "lifecycle/cancel.json", invoice_id=cancelled["id"])
    _, note = credit(functions, issued(functions)["id"])

    assert credit(functions, draft["id"])[0] == 409
    assert credit(functions, cancelled["id"])[0] == 409
    assert credit(functions, note["id"])[0] == 409


def test_a_credit_note_cannot_be_changed_or_deleted(functions):
    _, note = credit(functions, issued(functions)["id"])

    assert (
        call(functions, "invoices/update-invoice.json", invoice_id=note["id"], body={"note": "x"})[0] == 409
    )
    assert call(functions, "invoices/delete-invoice.json", invoice_id=note["id"])[0] == 409


def test_a_credit_note_is_a_valid_en16931_credit_note_referring_to_its_invoice(functions):
    call(functions, "settings/patch-settings.json")
    invoice = issued(functions)
    _, note = credit(functions, invoice["id"])
    query = {
        "queryStringParameters": {"format": "ubl"},
        "multiValueQueryStringParameters": {"format": ["ubl"]},
    }

    response = invoke(
        functions["documents"],
        json.loads(json.dumps(sample_event("documents/get-e-invoice.json")).replace(SAMPLE_ID, note["id"]))
        | query,
    )

    credited = invoke(
        functions["documents"],
        json.loads(json.dumps(sample_event("documents/get-e-invoice.json")).replace(SAMPLE_ID, invoice["id"]))
        | query,
    )

    assert response["statusCode"] == 200, response["body"]
    xml = response["body"]
    assert "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" in xml
    assert f"<cbc:ID>{invoice['invoiceNumber']}</cbc:ID>" in xml
    assert fatal_asserts("ubl", xml.encode()) == []
    assert credited["statusCode"] == 200
    assert (
        f'<cbc:PayableAmount currencyID="EUR">{invoice["total"]:.2f}</cbc:PayableAmount>' in credited["body"]
    )
    assert fatal_asserts("ubl", credited["body"].encode()) == []


def test_a_credit_note_prints_as_one_naming_the_invoice_it_credits(functions):
    invoice = issued(functions)
    _, note = credit(functions, invoice["id"])

    response = invoke(
        functions["documents"],
        json.loads(json.dumps(sample_event("documents/get-pdf.json")).replace(SAMPLE_ID, note["id"])),
    )

    assert response["statusCode"] == 200
    text = PdfReader(io.BytesIO(base64.b64decode(response["body"]))).pages[0].extract_text()
    assert "Credit note" in text
    assert note["invoiceNumber"] in text
    assert f"Credits invoice {invoice['invoiceNumber']}" in text
    assert "Total credited" in text
    assert "Balance due" not in text
    assert response["multiValueHeaders"]["Content-Disposition"][0].count(
        f"credit-note-{note['invoiceNumber']}.pdf"
    )
