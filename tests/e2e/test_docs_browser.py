"""The Swagger UI page in headless Chromium (Debian's `chromium`, driven by Playwright): it renders
every operation of the API's own document, under its Content-Security-Policy, with nothing fetched
from anywhere but the API."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.conftest import run_admin

pytestmark = pytest.mark.e2e

#: what a headless Chromium needs on a machine without a display or an open network
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: make test installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def docs_page(browser, local_stack) -> Iterator[tuple[Page, list[str], list[str]]]:
    token = run_admin(local_stack, "issue-token", "--tenant", "docs-browser", "--scopes", "invoices:read")
    context = browser.new_context(extra_http_headers={"Authorization": f"Bearer {token.splitlines()[-1]}"})
    page = context.new_page()
    elsewhere: list[str] = []
    console_errors: list[str] = []

    def only_the_api(route):
        if route.request.url.startswith(local_stack.base_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_api)
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page, elsewhere, console_errors
    context.close()


def test_the_docs_page_renders_every_operation_from_the_api_alone(docs_page, local_stack):
    page, elsewhere, console_errors = docs_page
    document = json.loads(page.request.get(f"{local_stack.base_url}/v1/openapi.json").text())
    operations = sum(
        1
        for item in document["paths"].values()
        for method in item
        if method in {"get", "head", "post", "patch", "put", "delete"}
    )

    page.goto(f"{local_stack.base_url}/v1/docs")
    page.wait_for_selector(".opblock", timeout=60_000)

    assert page.locator(".opblock").count() == operations
    assert document["info"]["title"] in page.locator(".info .title").inner_text()
    assert elsewhere == []
    assert console_errors == []


def test_an_operation_opens_with_its_parameters_and_answers(docs_page, local_stack):
    page, _, console_errors = docs_page
    page.goto(f"{local_stack.base_url}/v1/docs")
    summary = page.locator(".opblock-summary", has_text="/v1/invoices/find/{invoiceId}").first
    summary.wait_for(timeout=60_000)

    summary.click()

    body = page.locator(".opblock.is-open .opblock-body")
    body.wait_for(timeout=10_000)
    assert "Parameters" in body.inner_text()
    assert "Responses" in body.inner_text()
    assert console_errors == []
