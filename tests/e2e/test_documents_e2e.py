"""PDFs and attachments over HTTP against the local stack."""

from __future__ import annotations

import dataclasses
import io
import os
import urllib.request

import boto3
import pytest
from pypdf import PdfReader

from devtools.template import REGION, local_deployment
from invoicing.documents.files import MAX_FILE_BYTES
from tests.e2e.client import ApiClient, HttpResponse, assert_problem

pytestmark = pytest.mark.e2e

INVOICE = {
    "currency": "EUR",
    "invoiceDate": "2026-11-22T00:00:00Z",
    "paymentTermDays": 14,
    "paymentReference": "RF18 5390 0754 7034",
    "note": "Zahlbar ohne Abzug. Dziękujemy!",
    "customer": {
        "companyName": "Łódź Dostawy Sp. z o.o.",
        "firstName": "Zoë",
        "lastName": "Ødegård",
        "email": "ap@lodz.test",
    },
    "rows": [
        {
            "description": "Beratung Größe",
            "quantity": 10,
            "quantityType": "HOURS",
            "unitPrice": 120,
            "taxRate": 19,
        },
        {"description": "Książka", "quantity": 3, "unitPrice": 19.99, "discountPercentage": 10, "taxRate": 7},
    ],
}
BOUNDARY = "e2e-boundary-7f3a"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(2048)
PDF = b"%PDF-1.4\n" + os.urandom(1024) + b"\n%%EOF\n"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def multipart(*files: tuple[str, bytes]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
        for name, content in files
    ]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def upload(client: ApiClient, invoice_id: str, *files: tuple[str, bytes]) -> HttpResponse:
    uploader = dataclasses.replace(
        client, extra_headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    )
    return uploader.request("POST", f"/v1/invoices/{invoice_id}/upload-attachments", raw=multipart(*files))


def without_redirects(client: ApiClient, path: str) -> HttpResponse:
    request = urllib.request.Request(
        client.base_url + path, headers={"Authorization": client.authorization or ""}
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return HttpResponse(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return HttpResponse(error.code, dict(error.headers), error.read())


def stored_keys(local_stack, tenant: str, invoice_id: str) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=local_stack.moto_endpoint, region_name=REGION)
    listing = s3.list_object_versions(
        Bucket=local_deployment().ref("DocumentsBucket"), Prefix=f"tenants/{tenant}/invoices/{invoice_id}/"
    )
    return [item["Key"] for item in listing.get("Versions", [])]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_published_pdf_holds_number_names_and_totals_and_a_draft_previews_stamped(client_for):
    client = client_for("e2e-pdf")
    invoice = client.post("/v1/invoices", INVOICE).json()
    pdf_client = dataclasses.replace(client, extra_headers={"Accept": "application/pdf"})

    draft = pdf_client.get(f"/v1/invoices/{invoice['id']}/pdf")
    sent = client.patch(f"/v1/invoices/{invoice['id']}/mark-as-sent").json()
    response = pdf_client.get(f"/v1/invoices/{invoice['id']}/pdf")

    assert draft.status == 200
    assert "DRAFT" in _text(draft.body)
    assert "DRAFT" not in _text(response.body)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = _text(response.body)
    for expected in (sent["invoiceNumber"], "e2e-pdf", "Łódź Dostawy Sp. z o.o.", "Zoë Ødegård", "Größe"):
        assert expected in text
    assert f"€{sent['totalWithTax']:,.2f}" in text
    assert "Balance due" in text
    assert "Dziękujemy" in text


def test_an_issued_pdf_never_changes_and_the_paid_copy_is_stamped(client_for):
    client = client_for("e2e-pdf-kept")
    invoice = client.post("/v1/invoices", INVOICE).json()
    pdf_client = dataclasses.replace(client, extra_headers={"Accept": "application/pdf"})
    client.patch(f"/v1/invoices/{invoice['id']}/mark-as-sent")
    issued = pdf_client.get(f"/v1/invoices/{invoice['id']}/pdf").body

    client.patch(f"/v1/invoices/{invoice['id']}/update", {"note": "Paid by transfer, thank you."})
    client.patch(f"/v1/invoices/{invoice['id']}/mark-as-paid")
    again = pdf_client.get(f"/v1/invoices/{invoice['id']}/pdf").body
    paid_copy = pdf_client.get(f"/v1/invoices/{invoice['id']}/pdf?rendition=PAID")

    assert again == issued
    assert paid_copy.status == 200
    assert "PAID" in _text(paid_copy.body)
    assert "Paid by transfer" in _text(paid_copy.body)
    assert "Paid by transfer" not in _text(issued)


def test_attachments_round_trip_byte_for_byte(client_for, local_stack):
    client = client_for("e2e-files")
    invoice = client.post("/v1/invoices", INVOICE).json()

    uploaded = upload(client, invoice["id"], ("../scan ü.png", PNG), ("delivery.pdf", PDF))
    attachments = uploaded.json()["attachments"]
    downloads = [
        without_redirects(client, f"/v1/invoices/{invoice['id']}/attachments/{a['blobId']}")
        for a in attachments
    ]
    contents = [urllib.request.urlopen(d.headers["Location"], timeout=30).read() for d in downloads]
    deleted = client.delete(f"/v1/invoices/{invoice['id']}/attachments/{attachments[0]['blobId']}")
    gone = without_redirects(client, f"/v1/invoices/{invoice['id']}/attachments/{attachments[0]['blobId']}")

    assert uploaded.status == 200
    assert [(a["name"], a["type"], a["fileSize"]) for a in attachments] == [
        ("scan ü.png", "IMAGE", len(PNG)),
        ("delivery.pdf", "PDF", len(PDF)),
    ]
    assert [d.status for d in downloads] == [303, 303]
    assert contents == [PNG, PDF]
    assert deleted.status == 204
    assert_problem(gone, 404)
    assert stored_keys(local_stack, "e2e-files", invoice["id"]) == [
        f"tenants/e2e-files/invoices/{invoice['id']}/attachments/{attachments[1]['blobId']}"
    ]


def test_oversize_and_wrong_type_uploads_are_refused_with_nothing_stored(client_for, local_stack):
    client = client_for("e2e-limits")
    invoice = client.post("/v1/invoices", INVOICE).json()

    oversize = upload(client, invoice["id"], ("big.png", PNG[:8] + bytes(MAX_FILE_BYTES)))
    wrong_type = upload(client, invoice["id"], ("ok.png", PNG), ("setup.pdf", b"MZ\x90\x00" + PDF))

    assert_problem(oversize, 413)
    assert_problem(wrong_type, 415)
    assert client.get(f"/v1/invoices/find/{invoice['id']}").json()["attachments"] == []
    assert stored_keys(local_stack, "e2e-limits", invoice["id"]) == []


def test_another_tenant_gets_404(client_for):
    owner, stranger = client_for("e2e-owner"), client_for("e2e-stranger")
    invoice = owner.post("/v1/invoices", INVOICE).json()
    owner.patch(f"/v1/invoices/{invoice['id']}/mark-as-sent")
    blob_id = upload(owner, invoice["id"], ("a.png", PNG)).json()["attachments"][0]["blobId"]
    attachment = f"/v1/invoices/{invoice['id']}/attachments/{blob_id}"

    assert_problem(stranger.get(f"/v1/invoices/{invoice['id']}/pdf"), 404)
    assert_problem(stranger.post(f"/v1/invoices/{invoice['id']}/generate-pdf"), 404)
    assert_problem(without_redirects(stranger, attachment), 404)
    assert_problem(stranger.delete(attachment), 404)
    assert_problem(upload(stranger, invoice["id"], ("b.png", PNG)), 404)
