"""Public links: tokens and codes keyed by the link secret, how long a link lives, which requests
count as the customer's view, and the page's form posts read as seed 003's JSON bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from invoicing.api.public_pages import counts_as_view, form_as_json
from invoicing.errors import Conflict
from invoicing.invoices.enums import InvoiceStatus, InvoiceType
from invoicing.invoices.model import Invoice
from invoicing.public_links.keys import SHORT_CODE_LENGTH, LinkKeys, digest
from invoicing.public_links.public_link import KEPT_AFTER_SETTLED, expires_at, is_live, new_link, reissued
from invoicing.public_links.urls import PublicLinks

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
KEYS = LinkKeys(lambda: "secret-one")


def invoice(status: InvoiceStatus = InvoiceStatus.SENT, **fields: object) -> Invoice:
    values: dict[str, object] = {
        "id": "inv-1",
        "tenantId": "acme",
        "status": status,
        "type": InvoiceType.MANUAL,
        "currency": "USD",
        "created": NOW,
        "createdBy": "alice",
        "updated": NOW,
        "updatedBy": "alice",
        "publicLink": new_link(NOW),
    }
    return Invoice.model_validate(values | fields)


def test_a_link_id_carries_128_random_bits_and_its_token_256():
    links = {new_link(NOW).id for _ in range(100)}
    link_id = links.pop()

    assert len(links) == 99
    assert len(link_id) >= 22  # 16 bytes, base64url
    assert len(KEYS.token(link_id)) == 43
    assert len(KEYS.code(link_id)) == SHORT_CODE_LENGTH


def test_token_code_and_form_tag_are_keyed_and_distinct():
    other_keys = LinkKeys(lambda: "secret-two")

    secrets = {KEYS.token("a"), KEYS.code("a"), KEYS.form_tag("a"), KEYS.token("b")}

    assert len(secrets) == 4
    assert other_keys.token("a") != KEYS.token("a")
    assert KEYS.token("a") == KEYS.token("a")
    assert digest("token", "x") != digest("code", "x")
    assert "x" not in digest("token", "x")


def test_a_link_lives_while_the_invoice_is_owed():
    owed = invoice(InvoiceStatus.OVERDUE)
    assert owed.publicLink is not None

    assert expires_at(owed) is None
    assert is_live(owed, owed.publicLink.id, NOW + timedelta(days=3650))


def test_a_link_lives_90_days_after_payment_or_cancellation():
    paid = invoice(InvoiceStatus.PAID, datePaid=NOW)
    cancelled = invoice(InvoiceStatus.CANCELLED, updated=NOW)
    assert paid.publicLink is not None
    assert cancelled.publicLink is not None

    assert expires_at(paid) == NOW + KEPT_AFTER_SETTLED == NOW + timedelta(days=90)
    assert is_live(paid, paid.publicLink.id, NOW + timedelta(days=89))
    assert not is_live(paid, paid.publicLink.id, NOW + timedelta(days=90))
    assert not is_live(cancelled, cancelled.publicLink.id, NOW + timedelta(days=91))


def test_a_revoked_or_foreign_link_id_and_a_draft_are_not_live():
    sent = invoice()
    assert sent.publicLink is not None
    again = reissued(sent, NOW)
    assert again.publicLink is not None

    assert not is_live(again, sent.publicLink.id, NOW)
    assert is_live(again, again.publicLink.id, NOW)
    assert not is_live(invoice(InvoiceStatus.DRAFT), "anything", NOW)
    with pytest.raises(Conflict):
        reissued(invoice(InvoiceStatus.DRAFT, publicLink=None), NOW)


def test_urls_start_with_the_stage_url_else_the_requests_address():
    sent = invoice()
    assert sent.publicLink is not None
    token, code = KEYS.token(sent.publicLink.id), KEYS.code(sent.publicLink.id)

    staged = PublicLinks(KEYS, "https://api.example.test/prod/", clock=lambda: NOW).urls(sent)
    local = PublicLinks(KEYS, "", clock=lambda: NOW).urls(sent, request_base_url="http://127.0.0.1:3000")

    assert staged is not None
    assert local is not None
    assert staged.full_url == f"https://api.example.test/prod/v1/public/invoices/{token}"
    assert staged.short_url == f"https://api.example.test/prod/i/{code}"
    assert local.full_url == f"http://127.0.0.1:3000/v1/public/invoices/{token}"
    assert (
        PublicLinks(KEYS, "x", clock=lambda: NOW).urls(invoice(InvoiceStatus.DRAFT, publicLink=None)) is None
    )


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@pytest.mark.parametrize(
    ("method", "headers", "counted"),
    [
        ("GET", {"User-Agent": BROWSER}, True),
        ("HEAD", {"User-Agent": BROWSER}, False),
        ("GET", {"User-Agent": BROWSER, "Sec-Purpose": "prefetch;prerender"}, False),
        ("GET", {"User-Agent": BROWSER, "Purpose": "prefetch"}, False),
        ("GET", {"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"}, False),
        ("GET", {"User-Agent": "Mozilla/5.0 (compatible; Microsoft Office/16.0)"}, False),
        ("GET", {"User-Agent": "WhatsApp/2.23"}, False),
        ("GET", {}, False),
    ],
)
def test_only_a_customers_get_counts_as_a_view(method, headers, counted):
    assert counts_as_view({"httpMethod": method, "headers": headers}) is counted


def test_a_form_post_reads_as_seed_003s_json_body():
    event = {
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/x-www-form-urlencoded", "Host": "h"},
        "body": "formTag=t1&requestKey=k1&totalAmount=102.50&expirationMonth=12&accountNumber=4242"
        "&billingPostalCode=&authorizeBankWithdrawal=true",
    }

    converted = form_as_json(event)

    assert json.loads(converted["body"], parse_float=Decimal) == {
        "totalAmount": Decimal("102.50"),
        "expirationMonth": 12,
        "accountNumber": "4242",
        "authorizeBankWithdrawal": True,
    }
    assert converted["headers"]["Content-Type"] == "application/json"
    assert converted["headers"]["x-form-tag"] == "t1"
    assert converted["headers"]["Idempotency-Key"] == "k1"
    assert form_as_json({"httpMethod": "POST", "headers": {}, "body": "{}"}) == {
        "httpMethod": "POST",
        "headers": {},
        "body": "{}",
    }
