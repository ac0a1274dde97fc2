"""Pages, dynamic search and CSV export over HTTP against the local stack.

The tenant's invoices are bulk-imported (`python -m devtools.invoice_fixtures`) with every status,
so the searches see published, paid and overdue invoices without driving each one through the API.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from devtools.invoice_fixtures import new_invoice
from devtools.stack.testing import python_environment, run_admin, running_stack
from devtools.template import ROOT
from invoicing.invoices.csv_export import COLUMNS, exact_amount
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.search import Sort, SortField, filters_from_query
from tests.e2e.client import ApiClient, HttpResponse, assert_problem
from tests.search_dataset import dataset, expected_ids, today

pytestmark = pytest.mark.e2e

TENANT = "e2e-search"
NOW = datetime.now(UTC)
FORMULA_NOTE = '=HYPERLINK("http://evil.test","Click me")'


def import_invoices(stack, changes) -> None:
    documents = [
        {"invoice": invoice.model_dump(mode="python"), "event": event.model_dump(mode="python")}
        for invoice, event in changes
    ]
    subprocess.run(
        [sys.executable, "-m", "devtools.invoice_fixtures", "--state-dir", str(stack.state_dir)],
        input=json.dumps(documents, default=str),
        cwd=ROOT,
        env=python_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def hostile_invoices(tenant: str):
    """An invoice whose texts would be formulas in a spreadsheet, and a yen invoice."""
    return [
        new_invoice(
            tenant,
            status=InvoiceStatus.SENT,
            invoice_number="-INV-1",
            invoiceDate=today(NOW) - timedelta(days=400),
            note=FORMULA_NOTE,
            clientId="+41 44 000 00 00",
            customer={"companyName": "@SUM(A1:A9)", "firstName": "Ann", "email": "ann@hostile.test"},
            rows=[{"description": 'Beratung, "vor Ort"\r\nzweite Zeile', "quantity": 3, "unitPrice": 33.333}],
        ),
        new_invoice(
            tenant,
            status=InvoiceStatus.PAID,
            invoice_number="INV-JPY-1",
            invoiceDate=today(NOW) - timedelta(days=401),
            currency="JPY",
            customer={"companyName": "Yamada KK", "email": "ann@hostile.test"},
            rows=[{"description": "Widget", "quantity": 7, "unitPrice": 1234, "taxRate": 10}],
        ),
    ]


@pytest.fixture(scope="module")
def seeded(local_stack, client_for):
    client = client_for(TENANT)
    changes = [*dataset(TENANT, NOW, count=24), *hostile_invoices(TENANT)]
    import_invoices(local_stack, changes)
    return client, [invoice for invoice, _ in changes]


@pytest.fixture
def client(seeded) -> ApiClient:
    return seeded[0]


@pytest.fixture
def invoices(seeded):
    return seeded[1]


def ids(response: HttpResponse) -> list[str]:
    assert response.status == 200, response.body
    return [invoice["id"] for invoice in response.json()["content"]]


def dynamic(client: ApiClient, filters=(), search=(), sort=None, page=0, size=100) -> HttpResponse:
    query: list[tuple[str, str]] = [("filters", item) for item in filters]
    query += [("search", term) for term in search]
    query += [("page", str(page)), ("size", str(size))]
    if sort is not None:
        query.append(("sort", f"{sort.field.value},{'asc' if sort.ascending else 'desc'}"))
    return client.get(f"/v1/invoices/dynamic-search?{urlencode(query)}")


@pytest.mark.parametrize("field", list(SortField))
def test_every_sort_field_both_ways(client, invoices, field):
    for direction, ascending in (("ASC", True), ("DESC", False)):
        response = client.get(f"/v1/invoices/page?sortBy={field.value}&direction={direction}&pageSize=100")

        expected = expected_ids(invoices, {}, sort=Sort(field, ascending), now=NOW)
        assert ids(response) == expected, direction
        assert response.json()["totalElements"] == len(invoices)


def day(delta: timedelta) -> str:
    return f"{today(NOW) + delta:%Y-%m-%d}"


@pytest.mark.parametrize(
    "filters",
    [
        ["status:PARTIALLY_PAID"],
        ["status:SENT,OVERDUE", "status:DRAFT"],
        [f"invoiceDateFrom:{day(-timedelta(weeks=9))}", f"invoiceDateTo:{day(-timedelta(weeks=6))}"],
        [f"dueDateFrom:{day(-timedelta(weeks=5))}", f"dueDateTo:{day(timedelta(days=0))}"],
        [f"createdFrom:{day(-timedelta(days=12))}", f"createdTo:{day(-timedelta(days=3))}"],
        ["amountFrom:1200", "amountTo:1240.5"],
        ["currency:usd"],
        ["opportunityId:opp-2"],
        ["clientId:client-3"],
        ["customerEmail:AP4@Customer4.test"],
        ["overdue:true"],
    ],
)
def test_every_filter(client, invoices, filters):
    expected = expected_ids(invoices, filters_from_query(filters), now=NOW)

    response = dynamic(client, filters)

    assert expected, "the dataset should match every filter"
    assert ids(response) == expected
    assert response.json()["totalElements"] == len(expected)


def test_combined_filters_in_the_post_form(client, invoices):
    body = {
        "filters": {
            "status": ["SENT", "PAID", "OVERDUE", "DRAFT"],
            "currency": "EUR",
            "invoiceDateFrom": day(-timedelta(weeks=12)),
            "amountTo": 1300,
        },
        "search": ["beratung"],
        "sort": [{"field": "totalWithTax", "ascending": False}],
        "size": 100,
    }

    response = client.post("/v1/invoices/dynamic-search", body)

    expected = expected_ids(
        invoices,
        {key: value for key, value in body["filters"].items()},
        search=["beratung"],
        sort=Sort(SortField.TOTAL_WITH_TAX, False),
        now=NOW,
    )
    assert expected
    assert ids(response) == expected


@pytest.mark.parametrize("terms", [["MÜLLER"], ["creme", "Brûlée"], ["łukasz"], ["Straße"], ["zoe lefevre"]])
def test_free_text_ignores_case_and_accents(client, invoices, terms):
    expected = expected_ids(invoices, {}, search=terms, now=NOW)

    response = client.get(f"/v1/invoices/page?{urlencode({'search': ' '.join(terms), 'pageSize': 100})}")

    assert expected
    assert ids(response) == expected


def test_pages_split_the_result_at_their_boundaries(client, invoices):
    expected = expected_ids(invoices, {}, sort=Sort(SortField.INVOICE_NUMBER, True), now=NOW)
    pages = [
        client.get(f"/v1/invoices/page?sortBy=invoiceNumber&pageSize=7&pageNumber={number}").json()
        for number in range(4)
    ]
    beyond = client.get("/v1/invoices/page?sortBy=invoiceNumber&pageSize=7&pageNumber=4").json()

    assert [invoice["id"] for page in pages for invoice in page["content"]] == expected
    assert [page["numberOfElements"] for page in pages] == [7, 7, 7, len(expected) - 21]
    assert [(page["first"], page["last"]) for page in pages] == [
        (True, False),
        (False, False),
        (False, False),
        (False, True),
    ]
    assert {(page["totalElements"], page["totalPages"]) for page in pages} == {(len(expected), 4)}
    assert (beyond["content"], beyond["empty"], beyond["last"], beyond["number"]) == ([], True, True, 4)


def test_a_search_without_matches_is_an_empty_page(client):
    page = dynamic(client, ["status:CANCELLED"], search=["no such text"]).json()

    assert page["content"] == []
    assert (page["totalElements"], page["totalPages"], page["empty"], page["first"], page["last"]) == (
        0,
        0,
        True,
        True,
        True,
    )


def test_unknown_filter_and_sort_field_are_400_naming_them(client):
    unknown_filter = assert_problem(dynamic(client, ["colour:red"]), 400)
    unknown_sort = assert_problem(client.get("/v1/invoices/page?sortBy=colour"), 400)
    too_large = assert_problem(client.get("/v1/invoices/page?pageSize=1000"), 400)

    assert "colour" in unknown_filter["detail"]
    assert "filters.colour" in unknown_filter["errors"]
    assert "colour" in unknown_sort["detail"]
    assert "pageSize" in too_large["errors"]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_export_is_rfc_4180_with_exact_amounts_and_no_formulas(client, invoices):
    response = client.get(
        "/v1/invoices/csv-export?filters=customerEmail:ann@hostile.test&sort=invoiceDate,asc"
    )

    assert response.status == 200, response.body
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="invoices-')
    text = response.body.decode("utf-8")
    assert text.startswith(",".join(COLUMNS) + ",taxableAmount[")
    yen, hostile = csv_rows(text)
    assert hostile["note"] == "'" + FORMULA_NOTE
    assert hostile["customerCompany"] == "'@SUM(A1:A9)"
    assert hostile["clientId"] == "'+41 44 000 00 00"
    assert hostile["invoiceNumber"] == "'-INV-1"
    by_id = {invoice.id: invoice for invoice in invoices}
    for row in (yen, hostile):
        invoice = by_id[row["id"]]
        assert row["totalWithTax"] == exact_amount(invoice.totalWithTax, invoice.currency)
    assert (yen["currency"], yen["totalExcludingTax"], yen["totalTax"]) == ("JPY", "8638", "864")
    assert (yen["taxableAmount[10]"], yen["taxAmount[10]"]) == ("8638", "864")
    assert hostile["totalExcludingTax"] == "100.00"


def test_csv_export_holds_every_match_in_sort_order(client, invoices):
    response = client.get("/v1/invoices/csv-export?filters=status:SENT,PAID&sort=totalWithTax,desc")

    expected = expected_ids(
        invoices, {"status": "SENT,PAID"}, sort=Sort(SortField.TOTAL_WITH_TAX, False), now=NOW
    )
    assert [row["id"] for row in csv_rows(response.body.decode())] == expected


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def get_without_redirects(url: str, authorization: str | None = None) -> HttpResponse:
    request = urllib.request.Request(url, headers={"Authorization": authorization} if authorization else {})
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=60) as response:
            return HttpResponse(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return HttpResponse(error.code, dict(error.headers), error.read())


def test_an_export_too_large_for_the_response_is_a_303_to_a_pre_signed_link(tmp_path_factory):
    with running_stack(
        tmp_path_factory.mktemp("small-exports"), "--parameter-overrides", "CsvInlineLimitBytes=1000"
    ) as stack:
        token = run_admin(stack, "issue-token", "--tenant", TENANT, "--scopes", "invoices:read").splitlines()[
            -1
        ]
        changes = dataset(TENANT, NOW, count=8)
        import_invoices(stack, changes)
        authorization = f"Bearer {token}"

        answer = get_without_redirects(
            f"{stack.base_url}/v1/invoices/csv-export?sort=invoiceDate,asc", authorization
        )
        small = get_without_redirects(
            f"{stack.base_url}/v1/invoices/csv-export?filters=status:PAID", authorization
        )
        assert answer.status == 303, answer.body
        location = answer.json()
        download = get_without_redirects(answer.headers["Location"])

    assert answer.headers["Content-Type"] == "application/json"
    assert location["url"] == answer.headers["Location"]
    assert f"/exports/{TENANT}/" in location["url"]
    assert "X-Amz-Signature=" in location["url"]
    assert datetime.fromisoformat(location["expiresAt"]) <= datetime.now(UTC) + timedelta(minutes=15)
    assert download.status == 200
    rows = csv_rows(download.body.decode())
    expected = expected_ids(
        [invoice for invoice, _ in changes], {}, sort=Sort(SortField.INVOICE_DATE, True), now=NOW
    )
    assert [row["id"] for row in rows] == expected
    assert (location["rows"], location["sizeBytes"]) == (len(expected), len(download.body))
    assert (small.status, small.headers["Content-Type"]) == (200, "text/csv; charset=utf-8")
