"""The documents function, called with its events/ samples against moto."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime

import boto3
import pytest
from pypdf import PdfReader

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import imported_at_cold_start, invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
SAMPLE_BLOB = "7d1e0c4a-2b3f-4e5d-8c9b-0a1b2c3d4e5f"
PAID_COPY = {
    "queryStringParameters": {"rendition": "PAID"},
    "multiValueQueryStringParameters": {"rendition": ["PAID"]},
}


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme Müller GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "documents": load_function("DocumentsFunction"),
    }


@pytest.fixture
def bucket_keys(deployment):
    s3 = boto3.client("s3")
    bucket = deployment.ref("DocumentsBucket")

    def keys() -> list[str]:
        versions = s3.list_object_versions(Bucket=bucket)
        return sorted(item["Key"] for item in versions.get("Versions", []))

    return keys


def call(functions, sample: str, *, invoice_id: str, blob_id: str = SAMPLE_BLOB, **changes) -> dict:
    group = sample.split("/")[0]
    text = json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id).replace(SAMPLE_BLOB, blob_id)
    return invoke(functions[group], json.loads(text) | changes)


def body(response: dict) -> object:
    return json.loads(response["body"])


def new_invoice(functions) -> dict:
    response = call(functions, "invoices/create-invoice.json", invoice_id=SAMPLE_ID)
    assert response["statusCode"] == 201
    return body(response)


def pdf_text(response: dict) -> str:
    assert response["statusCode"] == 200
    content = base64.b64decode(response["body"])
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_draft_preview_is_rendered_once_per_content_and_downloadable_stamped_draft(functions, bucket_keys):
    invoice = new_invoice(functions)

    first = body(call(functions, "documents/generate-pdf.json", invoice_id=invoice["id"]))
    again = body(call(functions, "documents/generate-pdf.json", invoice_id=invoice["id"]))
    preview = call(functions, "documents/get-pdf.json", invoice_id=invoice["id"])
    by_blob = call(
        functions, "documents/get-attachment.json", invoice_id=invoice["id"], blob_id=first["pdf"]["blobId"]
    )

    assert first["pdf"]["type"] == "PDF"
    assert first["pdf"]["rendition"] == "PREVIEW"
    assert first["events"][-1]["type"] == "PDF_GENERATED"
    assert again["version"] == first["version"]
    assert "DRAFT" in pdf_text(preview)
    assert by_blob["statusCode"] == 303
    assert f"/pdf/{first['pdf']['blobId']}.pdf" in by_blob["multiValueHeaders"]["Location"][0]
    assert bucket_keys() == [f"tenants/acme/invoices/{invoice['id']}/pdf/{first['pdf']['blobId']}.pdf"]

    call(functions, "invoices/add-row.json", invoice_id=invoice["id"])
    fresh = body(call(functions, "documents/generate-pdf.json", invoice_id=invoice["id"]))

    assert fresh["pdf"]["blobId"] != first["pdf"]["blobId"]
    assert bucket_keys() == [f"tenants/acme/invoices/{invoice['id']}/pdf/{fresh['pdf']['blobId']}.pdf"]


def test_an_issued_invoice_pdf_is_byte_identical_after_every_later_change(functions, deployment):
    invoice = new_invoice(functions)
    call(functions, "documents/generate-pdf.json", invoice_id=invoice["id"])
    call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])
    original = call(functions, "documents/get-pdf.json", invoice_id=invoice["id"])
    issued = base64.b64decode(original["body"])

    boto3.client("s3").put_object(
        Bucket=deployment.ref("DocumentsBucket"),
        Key="themes/acme/theme.json",
        Body=b'{"accentColor": "#0B6E4F"}',
    )
    call(
        functions,
        "invoices/update-invoice.json",
        invoice_id=invoice["id"],
        body=json.dumps({"note": "Later"}),
    )
    call(functions, "lifecycle/mark-as-paid.json", invoice_id=invoice["id"])
    regenerated = body(call(functions, "documents/generate-pdf.json", invoice_id=invoice["id"]))
    later = call(functions, "documents/get-pdf.json", invoice_id=invoice["id"])

    assert "DRAFT" not in pdf_text(original)
    assert base64.b64decode(later["body"]) == issued
    assert regenerated["pdf"]["rendition"] == "ORIGINAL"
    generated = [event for event in regenerated["events"] if event["type"] == "PDF_GENERATED"]
    assert len(generated) == 2
    assert "Original PDF" in generated[-1]["description"]


def test_a_paid_invoice_has_a_paid_copy_beside_its_original(functions):
    invoice = new_invoice(functions)
    call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])
    issued = base64.b64decode(call(functions, "documents/get-pdf.json", invoice_id=invoice["id"])["body"])
    early = call(
        functions,
        "documents/get-pdf.json",
        invoice_id=invoice["id"],
        **PAID_COPY,
    )
    call(functions, "lifecycle/mark-as-paid.json", invoice_id=invoice["id"])

    paid = call(
        functions,
        "documents/get-pdf.json",
        invoice_id=invoice["id"],
        **PAID_COPY,
    )
    stored = body(call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"]))
    original = call(functions, "documents/get-pdf.json", invoice_id=invoice["id"])

    assert early["statusCode"] == 409
    assert "PAID" in pdf_text(paid)
    assert stored["paidPdf"]["rendition"] == "PAID"
    assert stored["pdf"]["rendition"] == "ORIGINAL"
    assert base64.b64decode(original["body"]) == issued
    assert [
        event["description"].split(" ")[0] for event in stored["events"] if event["type"] == "PDF_GENERATED"
    ] == [
        "Original",
        "Paid",
    ]


def test_a_published_invoice_pdf_is_served_as_binary(functions):
    invoice = new_invoice(functions)
    sent = body(call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"]))

    response = call(functions, "documents/get-pdf.json", invoice_id=invoice["id"])

    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is True
    assert response["multiValueHeaders"]["Content-Type"] == ["application/pdf"]
    text = PdfReader(io.BytesIO(base64.b64decode(response["body"]))).pages[0].extract_text()
    assert sent["invoiceNumber"] in text
    assert "Globex Corporation" in text
    assert f"€{sent['total']:,.2f}" in text


def test_attachments_upload_download_and_delete(functions, bucket_keys):
    invoice = new_invoice(functions)

    uploaded = body(call(functions, "documents/upload-attachments.json", invoice_id=invoice["id"]))
    names = [(item["name"], item["type"]) for item in uploaded["attachments"]]
    blob_id = uploaded["attachments"][0]["blobId"]
    download = call(functions, "documents/get-attachment.json", invoice_id=invoice["id"], blob_id=blob_id)
    deleted = call(functions, "documents/delete-attachment.json", invoice_id=invoice["id"], blob_id=blob_id)

    assert names == [("Lieferschein Müller.pdf", "PDF"), ("receipt.png", "IMAGE")]
    assert uploaded["events"][-1]["type"] == "ATTACHMENT_ADDED"
    assert download["statusCode"] == 303
    assert blob_id in body(download)["url"]
    assert deleted["statusCode"] == 204
    assert len(bucket_keys()) == 1

    call(functions, "invoices/delete-invoice.json", invoice_id=invoice["id"])

    assert bucket_keys() == []


def test_a_file_of_another_type_is_refused_and_nothing_is_stored(functions, bucket_keys):
    invoice = new_invoice(functions)
    event = sample_event("documents/upload-attachments.json")
    multipart = base64.b64decode(event["body"]).replace(b"%PDF-", b"MZ\x90\x00")

    response = call(
        functions,
        "documents/upload-attachments.json",
        invoice_id=invoice["id"],
        body=base64.b64encode(multipart).decode(),
    )

    assert response["statusCode"] == 415
    assert body(response)["errors"] == {
        "files[0]": ["Allowed: PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX, ODT or ODS."]
    }
    assert bucket_keys() == []


def test_a_theme_in_the_bucket_restyles_the_next_pdf(functions, deployment):
    from PIL import Image

    logo = io.BytesIO()
    Image.new("RGB", (120, 40), (11, 110, 79)).save(logo, format="PNG")
    invoice = new_invoice(functions)
    plain = body(call(functions, "documents/generate-pdf.json", invoice_id=invoice["id"]))
    s3, bucket = boto3.client("s3"), deployment.ref("DocumentsBucket")
    s3.put_object(
        Bucket=bucket,
        Key="themes/acme/theme.json",
        Body=b'{"accentColor": "#0B6E4F", "footerText": "IBAN DE89"}',
    )
    s3.put_object(Bucket=bucket, Key="themes/acme/logo", Body=logo.getvalue())

    styled = body(call(functions, "documents/generate-pdf.json", invoice_id=invoice["id"]))
    key = f"tenants/acme/invoices/{invoice['id']}/pdf/{styled['pdf']['blobId']}.pdf"
    page = PdfReader(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())).pages[0]

    assert styled["pdf"]["blobId"] != plain["pdf"]["blobId"]
    assert "IBAN DE89" in page.extract_text()
    assert len(page.images) == 1


def test_the_cold_start_imports_no_pdf_library():
    """fpdf2 (and Pillow, HarfBuzz, factur-x and lxml) come from the PDF layer on the first render, and
    the e-invoice writers on the first e-invoice, never at import."""
    heavy = ("fpdf", "invoice_pdf", "PIL", "fontTools", "uharfbuzz", "facturx", "lxml", "invoicing.einvoice")

    assert imported_at_cold_start("DocumentsFunction", heavy) == []
