"""The hosted invoice page's function with its events/ samples against moto: links issued when an
invoice is published, the page, paying on it, the PDF, the short link, reissue and the rate limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlparse

import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.public_links.page import Limits
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import imported_at_cold_start, invoke, sample_event
from tests.integration.test_invoice_view_function import SEED_003_CREATE, call

SAMPLE_TOKEN = "SAMPLE_TOKEN_0123456789abcdefghijklmnopqrstuv"
SAMPLE_CODE = "SAMPLECODE12"
SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    for tenant in ("acme", "globex"):
        new_tenant = NewTenant(tenant, tenant.title(), "USD", f"billing@{tenant}.test")
        ensure_tenant(repository, new_tenant, now=datetime.now(UTC))
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "invoice_view": load_function("InvoiceViewFunction"),
        "public_page": load_function("PublicPageFunction"),
    }


def published_links(functions, tenant: str = "acme") -> tuple[str, str, str]:
    status, created = call(functions, "invoices/create-invoice.json", body=SEED_003_CREATE, tenant=tenant)
    assert status == 201, created
    status, view = call(functions, "invoice_view/get-invoice.json", invoice_id=created["id"], tenant=tenant)
    assert (view["fullUrl"], view["shortUrl"]) == (None, None)  # a draft has no link
    status, sent = call(functions, "lifecycle/mark-as-sent.json", invoice_id=created["id"], tenant=tenant)
    assert status == 200, sent
    status, view = call(functions, "invoice_view/get-invoice.json", invoice_id=created["id"], tenant=tenant)
    return created["id"], view["fullUrl"], view["shortUrl"]


def public(functions, sample: str, secret: str, *, headers: dict[str, str] | None = None, body=None) -> dict:
    text = json.dumps(sample_event(f"public_page/{sample}.json"))
    event = json.loads(text.replace(SAMPLE_TOKEN, secret).replace(SAMPLE_CODE, secret))
    event["headers"].update(headers or {})
    if body is not None:
        event["body"] = body
    return invoke(functions["public_page"], event)


def header(response: dict, name: str) -> str:
    values = response.get("multiValueHeaders") or {}
    if name in values:
        return values[name][0]
    return (response.get("headers") or {})[name]


def token_of(full_url: str) -> str:
    return urlparse(full_url).path.rsplit("/", 1)[1]


def test_publishing_gives_the_invoice_a_page_whose_token_the_table_never_holds(functions, deployment):
    _, full_url, short_url = published_links(functions)
    assert full_url.startswith("https://127.0.0.1:3000/dev/v1/public/invoices/")
    assert short_url.startswith("https://127.0.0.1:3000/dev/i/")
    token = token_of(full_url)
    assert len(token) >= 43  # 256 bits

    response = public(functions, "open-page", token)

    assert response["statusCode"] == 200
    page = response["body"]
    for shown in ("Hank", "Scorpio", "Work", "Balance due", "Credit card", "Debit card", "Bank debit (ACH)"):
        assert shown in page
    assert header(response, "Cache-Control") == "no-store"
    assert "frame-ancestors 'none'" in header(response, "Content-Security-Policy")
    assert header(response, "Referrer-Policy") == "no-referrer"
    assert len(page.encode()) < 100_000
    dump = json.dumps(deployment_items(deployment))
    assert token not in dump
    assert token_of(short_url) not in dump


def deployment_items(deployment) -> list[dict]:
    import boto3

    from devtools.template import REGION

    client = boto3.client("dynamodb", region_name=REGION)
    table = deployment.ref("InvoicingTable")
    return client.scan(TableName=table)["Items"]  # the test reads the whole table; the code never scans


def test_opening_records_viewed_once_a_day_and_not_for_head_or_scanners(functions):
    invoice_id, full_url, _ = published_links(functions)
    token = token_of(full_url)

    public(functions, "head-page", token)
    public(functions, "open-page", token, headers={"User-Agent": "Slackbot-LinkExpanding 1.0"})
    public(functions, "open-page", token, headers={"Sec-Purpose": "prefetch"})
    _, before = call(functions, "invoice_view/get-invoice.json", invoice_id=invoice_id)
    public(functions, "open-page", token)
    public(functions, "open-page", token)
    _, after = call(functions, "invoice_view/get-invoice.json", invoice_id=invoice_id)

    assert "VIEWED" not in [entry["typeName"] for entry in before["history"]]
    assert [entry["typeName"] for entry in after["history"]].count("VIEWED") == 1


def test_an_unknown_or_tampered_token_is_the_html_404(functions):
    _, full_url, _ = published_links(functions)
    token = token_of(full_url)

    for wrong in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B")):
        response = public(functions, "open-page", wrong)
        assert response["statusCode"] == 404
        assert header(response, "Content-Type").startswith("text/html")
        assert "unknown, revoked or expired" in response["body"]


def test_the_short_link_redirects_to_the_page(functions):
    _, full_url, short_url = published_links(functions)

    response = public(functions, "follow-short-link", token_of(short_url))

    assert response["statusCode"] == 302
    assert header(response, "Location") == full_url


def test_reissuing_revokes_the_old_link(functions):
    invoice_id, full_url, short_url = published_links(functions)
    event = json.loads(
        json.dumps(sample_event("public_page/reissue-link.json")).replace(SAMPLE_ID, invoice_id)
    )
    event["requestContext"]["authorizer"]["tenantId"] = "acme"

    response = invoke(functions["public_page"], event)

    assert response["statusCode"] == 200, response
    fresh = json.loads(response["body"])
    assert fresh["fullUrl"] != full_url
    assert fresh["shortUrl"] != short_url
    assert public(functions, "open-page", token_of(full_url))["statusCode"] == 404
    assert public(functions, "follow-short-link", token_of(short_url))["statusCode"] == 404
    assert public(functions, "open-page", token_of(fresh["fullUrl"]))["statusCode"] == 200
    event["requestContext"]["authorizer"]["tenantId"] = "globex"
    assert invoke(functions["public_page"], event)["statusCode"] == 404


def test_paying_by_card_on_the_page_shows_the_receipt(functions):
    _, full_url, _ = published_links(functions)
    token = token_of(full_url)
    page = public(functions, "open-page", token)["body"]
    form_tag = page.split('name="formTag" value="', 1)[1].split('"', 1)[0]
    credit = page.split('name="totalAmount" value="', 1)[1].split('"', 1)[0]
    body = (
        f"formTag={form_tag}&requestKey=k-1&totalAmount={credit}&accountNumber=4242424242424242"
        "&expirationMonth=12&expirationYear=2030&securityCode=123&billingPostalCode="
    )

    forged = public(functions, "pay-card-form", token, body=body.replace(form_tag, "forged"))
    response = public(functions, "pay-card-form", token, body=body)

    assert forged["statusCode"] == 403
    assert response["statusCode"] == 200, response["body"]
    assert "Receipt" in response["body"]
    assert "Payment received" in response["body"]
    assert header(response, "Cache-Control") == "no-store"


def test_paying_by_ach_with_seed_003s_json_body(functions):
    invoice_id, full_url, _ = published_links(functions)
    _, calculations = call(
        functions, "invoice_view/get-calculations.json", invoice_id=invoice_id, query={"paymentMethod": "ach"}
    )
    body = json.loads(sample_event("public_page/pay-ach.json")["body"]) | {
        "totalAmount": calculations["totalAmount"]
    }

    response = public(functions, "pay-ach", token_of(full_url), body=json.dumps(body))

    assert response["statusCode"] == 200, response["body"]
    assert json.loads(response["body"])["success"] is True


def test_public_routes_are_rate_limited_per_link(functions, monkeypatch):
    _, full_url, _ = published_links(functions)
    token = token_of(full_url)
    page_function = functions["public_page"]
    monkeypatch.setattr(page_function.services.public_page, "_rate", Limits(per_token=3, per_client=100))

    statuses = [public(functions, "head-page", token)["statusCode"] for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    limited = public(functions, "open-page", token)
    assert json.loads(limited["body"])["statusCode"] == 429
    assert header(limited, "Cache-Control") == "no-store"


def test_the_page_imports_no_renderer_checker_or_payment_code_at_cold_start():
    heavy = [
        "invoice_pdf",
        "fpdf",
        "stdnum",
        "schwifty",
        "invoicing.payments.paying",
        "invoicing.documents.rendering",
    ]

    assert imported_at_cold_start("PublicPageFunction", heavy) == []


def test_the_pdf_is_a_short_lived_download_link_of_the_links_invoice(functions):
    invoice_id, full_url, _ = published_links(functions)

    response = public(functions, "download-pdf", token_of(full_url))

    assert response["statusCode"] == 303, response.get("body")
    location = header(response, "Location")
    assert f"/tenants/acme/invoices/{invoice_id}/" in urlparse(location).path
    assert "X-Amz-Expires" in location
    assert public(functions, "download-pdf", "x" * 43)["statusCode"] == 404


def test_a_token_opens_its_own_invoice_only(functions):
    first = published_links(functions)
    second = published_links(functions)
    _, first_view = call(functions, "invoice_view/get-invoice.json", invoice_id=first[0])
    _, second_view = call(functions, "invoice_view/get-invoice.json", invoice_id=second[0])

    first_page = public(functions, "open-page", token_of(first[1]))["body"]
    second_page = public(functions, "open-page", token_of(second[1]))["body"]

    assert first_view["number"] != second_view["number"]
    assert f"Invoice {first_view['number']}" in first_page
    assert f"Invoice {second_view['number']}" in second_page
    assert first[0] not in second_page
    assert second[0] not in first_page
