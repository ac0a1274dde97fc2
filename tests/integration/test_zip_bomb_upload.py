"""upload-attachments with a zip bomb posing as an office file: refused without inflating it."""

from __future__ import annotations

import base64
import json
import tracemalloc
from datetime import UTC, datetime

import boto3
import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event
from tests.unit.test_zip_bombs import bomb

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
BOUNDARY = "----invoicing-sample-boundary"
BOMB_BYTES = 128 * 1024 * 1024


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return load_function("InvoicesFunction"), load_function("DocumentsFunction")


def upload_event(invoice_id: str, name: str, content: bytes) -> dict:
    part = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/vnd.oasis.opendocument.spreadsheet\r\n\r\n"
    ).encode()
    multipart = part + content + f"\r\n--{BOUNDARY}--\r\n".encode()
    text = json.dumps(sample_event("documents/upload-attachments.json")).replace(SAMPLE_ID, invoice_id)
    return json.loads(text) | {"body": base64.b64encode(multipart).decode(), "isBase64Encoded": True}


def test_a_zip_bomb_is_415_stores_nothing_and_costs_no_memory(deployment, functions):
    invoices, documents = functions
    created = invoke(invoices, sample_event("invoices/create-invoice.json"))
    invoice_id = json.loads(created["body"])["id"]
    event = upload_event(invoice_id, "figures.ods", bomb("mimetype", size=BOMB_BYTES))

    tracemalloc.start()
    try:
        response = invoke(documents, event)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert response["statusCode"] == 415
    assert json.loads(response["body"])["errors"] == {
        "files[0]": ["Allowed: PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX, ODT or ODS."]
    }
    assert peak < 32 * 1024 * 1024
    listing = boto3.client("s3").list_objects_v2(Bucket=deployment.ref("DocumentsBucket"))
    assert listing.get("KeyCount", 0) == 0
