"""The hosted invoice page in headless Chromium (Debian's `chromium`, driven by Playwright), as a
customer sees it from the links of a published invoice: what it shows, paying by card (declined,
then accepted) and by bank debit with the receipt, the short link, a revoked link's 404, the
security headers, and screenshots at phone and desktop width (kept out of git)."""

from __future__ import annotations

import re
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.test_docs_browser import CHROMIUM_ARGS
from tests.e2e.test_seed003_view_e2e import CREATE

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".screenshots"
TENANT = "page-browser"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: make test installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def merchant(client_for):
    client = client_for(TENANT, scopes="invoices:read invoices:write settings:write")
    payments = {"creditCardSurchargePercentage": 3, "achCashDiscountPercentage": 2}
    settings = client.patch("/v1/settings", {"seller": {"legalName": "Acme Page GmbH"}, "payments": payments})
    assert settings.status == 200, settings.body
    return client


def published(merchant) -> dict:
    created = merchant.post("/v1/invoices", CREATE)
    assert created.status == 201, created.body
    invoice_id = created.json()["id"]
    assert merchant.get(f"/v1/invoices/{invoice_id}").json()["fullUrl"] is None  # a draft's link
    sent = merchant.patch(f"/v1/invoices/{invoice_id}/mark-as-sent")
    assert sent.status == 200, sent.body
    return merchant.get(f"/v1/invoices/{invoice_id}").json()


@pytest.fixture
def customer(browser, local_stack) -> Iterator[tuple[Page, list[str]]]:
    """A browser tab that may reach the stack only (anything else, and what the CSP refused, is
    recorded)."""
    context = browser.new_context()
    page = context.new_page()
    elsewhere: list[str] = []
    page.on("console", lambda message: elsewhere.append(message.text) if "Refused" in message.text else None)

    def only_the_stack(route):
        if route.request.url.startswith(local_stack.base_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_stack)
    yield page, elsewhere
    context.close()


def test_the_customer_sees_the_invoice_and_its_prices(customer, merchant):
    page, elsewhere = customer
    view = published(merchant)
    calculations = view["invoiceCalculations"]

    page.goto(view["fullUrl"])

    text = page.locator("main").inner_text()
    for shown in ("Acme Page GmbH", "Globex", "Hank Scorpio", "1 Globex Way", view["number"], "Due", "Tax"):
        assert shown in text
    assert page.get_by_test_id("balance-due").inner_text() == f"${view['totalAmount']:,.2f}"
    assert page.get_by_test_id("due-date").inner_text()
    for method, key in (("CREDIT_CARD", "creditCard"), ("DEBIT_CARD", "debitCard"), ("ACH", "ach")):
        assert (
            page.get_by_test_id(f"price-{method}").inner_text() == f"${calculations[key]['totalAmount']:,.2f}"
        )
    assert page.get_by_role("link", name="Download the PDF").count() == 1
    assert page.get_by_label("Card number").count() == 1  # every field has its label
    button = page.locator("form[action$='/pay/card'] button")
    assert button.evaluate("element => getComputedStyle(element).backgroundColor") == "rgb(11, 92, 173)"
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"public-page-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    assert elsewhere == []


def pay_by_card(page: Page, number: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry month").fill("12")
    page.get_by_label("Expiry year").fill("2030")
    page.get_by_label("Security code").fill("123")
    page.locator("form[action$='/pay/card'] button").click()
    page.wait_for_load_state()


def test_paying_by_card_declined_then_accepted_shows_the_receipt(customer, merchant):
    page, elsewhere = customer
    view = published(merchant)
    page.goto(view["fullUrl"])

    pay_by_card(page, "4000000000000002")

    assert "The payment did not go through" in page.locator("main").inner_text()
    page.locator("#back").click()
    page.wait_for_load_state()
    pay_by_card(page, "4242424242424242")

    receipt = page.locator("#receipt").inner_text()
    assert "Payment received" in receipt
    assert page.get_by_test_id("receipt-amount").inner_text() == (
        f"${view['invoiceCalculations']['creditCard']['totalAmount']:,.2f}"
    )
    assert page.get_by_test_id("status").inner_text() == "Paid"
    assert merchant.get(f"/v1/invoices/{view['id']}").json()["status"] == 6  # Paid
    assert elsewhere == []


def test_paying_by_bank_debit_shows_the_pending_receipt(customer, merchant):
    page, _ = customer
    view = published(merchant)
    page.goto(view["fullUrl"])

    page.get_by_label("Routing number").fill("110000000")
    page.get_by_label("Account number").fill("000123456789")
    page.get_by_label("I authorize this one-time debit from my account.").check()
    page.locator("form[action$='/pay/ach'] button").click()
    page.wait_for_load_state()

    assert "Bank debit initiated" in page.locator("#receipt").inner_text()
    assert page.get_by_test_id("receipt-amount").inner_text() == (
        f"${view['invoiceCalculations']['ach']['totalAmount']:,.2f}"
    )


def test_the_short_link_opens_the_page_and_a_revoked_link_is_404(customer, merchant):
    page, _ = customer
    view = published(merchant)

    page.goto(view["shortUrl"])
    assert page.url == view["fullUrl"]
    assert view["number"] in page.locator("h1").inner_text()
    reissued = merchant.post(f"/v1/invoices/{view['id']}/public-link")
    assert reissued.status == 200, reissued.body

    response = page.goto(view["fullUrl"])
    assert response is not None
    assert response.status == 404
    assert "unknown, revoked or expired" in page.locator("main").inner_text()
    assert page.goto(reissued.json()["fullUrl"]).status == 200


def test_the_page_loads_nothing_and_is_never_cached_or_framed(merchant):
    view = published(merchant)

    with urllib.request.urlopen(view["fullUrl"], timeout=30) as response:
        headers, body = response.headers, response.read()

    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'none'" in policy
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert len(body) < 100_000
    html = body.decode()
    assert re.findall(r"https?://", html) == []  # no external (or any absolute) URL at all
    assert all(not link.startswith("//") for link in re.findall(r'(?:href|src|action)="([^"]*)"', html))
