"""The search function, called with the events/search samples against moto."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from moto import mock_aws

import invoicing.adapters.invoice_search as invoice_search
from devtools.invoice_fixtures import import_with_figures
from devtools.stack.provision import provision_resources
from devtools.template import REGION, local_deployment
from invoicing.adapters.dynamodb import bind
from invoicing.adapters.search_cursors import SearchCursorItem
from invoicing.adapters.search_plan import plan_search
from invoicing.invoices.csv_export import exact_amount
from invoicing.invoices.search import Sort, SortField, criteria_from, filters_from_query
from tests.integration.conftest import invoke, sample_event
from tests.search_dataset import dataset, expected_ids, today

NOW = datetime.now(UTC)
PAGE_SIZE = 12
TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "Invoicing",
}


@pytest.fixture(scope="module")
def stack():
    """One seeded deployment for the module: the tests only read, or write where no other test looks."""
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for name, value in TEST_ENVIRONMENT.items():
            patch.setenv(name, value)
        deployment = local_deployment()
        provision_resources(deployment, None)
        changes = dataset("acme", NOW)
        import_with_figures(deployment.ref("InvoicingTable"), [*changes, *dataset("globex", NOW, count=3)])
        invoices = [invoice for invoice, _ in changes]
        assert len({invoice.totalWithTax for invoice in invoices}) == len(invoices)
        for name, value in deployment.function_environment("SearchFunction").items():
            patch.setenv(name, value)
        path = deployment.function_directory("SearchFunction") / "app.py"
        spec = importlib.util.spec_from_file_location("search_function_under_test", path)
        assert spec is not None
        assert spec.loader is not None
        function = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(function)
        yield deployment, function, invoices


@pytest.fixture
def deployment(stack):
    return stack[0]


@pytest.fixture
def search(stack):
    return stack[1]


@pytest.fixture
def seeded(stack):
    return stack[2]


def call(
    function,
    sample: str,
    *,
    query: dict[str, list[str]] | None = None,
    body: object = ...,
    tenant: str = "acme",
    scopes: str | None = None,
) -> tuple[int, object, dict[str, str]]:
    event = sample_event(f"search/{sample}")
    event["requestContext"]["authorizer"]["tenantId"] = tenant
    if scopes is not None:
        event["requestContext"]["authorizer"]["scopes"] = scopes
    if query is not None:
        event["multiValueQueryStringParameters"] = query or None
        event["queryStringParameters"] = {name: values[-1] for name, values in query.items()} or None
    if body is not ...:
        event["body"] = json.dumps(body)
    response = invoke(function, event)
    headers = {name: values[-1] for name, values in response.get("multiValueHeaders", {}).items()}
    text = response.get("body") or ""
    payload = json.loads(text) if headers.get("Content-Type", "").endswith("json") else text
    return response["statusCode"], payload, headers


def search_get(function, filters=(), search=(), sort=None, page=0, size=PAGE_SIZE):
    query = {"filters": list(filters), "search": list(search), "page": [str(page)], "size": [str(size)]}
    if sort is not None:
        query["sort"] = [f"{sort.field.value},{'asc' if sort.ascending else 'desc'}"]
    return call(
        function, "dynamic-search.json", query={name: value for name, value in query.items() if value}
    )


def every_page(function, filters=(), search=(), sort=None) -> tuple[list[str], list[dict]]:
    ids, pages = [], []
    while True:
        status, page, _ = search_get(function, filters, search, sort, page=len(pages))
        assert status == 200, page
        pages.append(page)
        ids += [invoice["id"] for invoice in page["content"]]
        if page["last"]:
            return ids, pages


def week_range(weeks_back: int, weeks: int) -> list[str]:
    start = today(NOW) - timedelta(weeks=weeks_back)
    end = start + timedelta(weeks=weeks) - timedelta(days=1)
    return [f"invoiceDateFrom:{start:%Y-%m-%d}", f"invoiceDateTo:{end:%Y-%m-%d}"]


CASES = [
    ((), (), None),
    *[((), (), Sort(field, ascending)) for field in SortField for ascending in (True, False)],
    (("status:SENT",), (), None),
    (("status:SENT,OVERDUE", "status:DRAFT"), (), Sort(SortField.INVOICE_DATE, True)),
    (("status:PAID,DRAFT,SENT",), (), Sort(SortField.STATUS, False)),
    (tuple(week_range(10, 3)), (), None),
    (
        (f"dueDateFrom:{today(NOW) - timedelta(weeks=6):%Y-%m-%d}", f"dueDateTo:{today(NOW):%Y-%m-%d}"),
        (),
        None,
    ),
    ((f"createdFrom:{today(NOW) - timedelta(days=20):%Y-%m-%d}",), (), Sort(SortField.CREATED, True)),
    (("amountFrom:1100", "amountTo:1250.5"), (), Sort(SortField.TOTAL_WITH_TAX, False)),
    (("currency:USD",), (), None),
    (("opportunityId:opp-1",), (), None),
    (("clientId:client-2",), (), Sort(SortField.DUE_DATE, True)),
    (("customerEmail:AP3@Customer3.TEST",), (), None),
    (("overdue:true",), (), None),
    ((), ("MULLER",), None),
    ((), ("crème", "BRULEE"), Sort(SortField.INVOICE_NUMBER, True)),
    ((), ("lukasz wojcik",), None),
    ((), ("strasse",), Sort(SortField.STATUS, True)),
    ((), ("danke",), None),
    ((), ("inv-2026-00013",), None),
    (("status:SENT,PAID", "currency:EUR", *week_range(14, 10)), (), None),
    (("opportunityId:opp-0",), (), Sort(SortField.TOTAL_WITH_TAX, True)),
    (("status:OVERDUE,PARTIALLY_PAID",), (), Sort(SortField.INVOICE_NUMBER, False)),
    (tuple(week_range(12, 6)), (), Sort(SortField.CREATED, False)),
    (("overdue:true", "currency:EUR"), (), Sort(SortField.DUE_DATE, False)),
    (("customerEmail:ap1@customer1.test",), ("zoe",), Sort(SortField.STATUS, True)),
    (("opportunityId:opp-2", "clientId:client-0"), ("beratung",), Sort(SortField.CREATED, True)),
    (("status:CANCELLED", "amountFrom:5000"), (), None),
]


def check_cases(function, invoices, cases) -> None:
    for filters, words, sort in cases:
        ids, pages = every_page(function, filters, words, sort)
        expected = expected_ids(invoices, filters_from_query(filters), search=words, sort=sort, now=NOW)
        case = (filters, words, sort)
        assert ids == expected, case
        assert [page["totalElements"] for page in pages] == [len(expected)] * len(pages), case
        assert pages[0]["totalPages"] == (len(pages) if expected else 0), case
        assert [page["numberOfElements"] for page in pages[:-1]] == [PAGE_SIZE] * (len(pages) - 1), case


def sorted_in_memory(case) -> bool:
    filters, words, sort = case
    criteria = criteria_from(filters_from_query(filters), words)
    return plan_search("acme", criteria, sort or Sort(), NOW).narrowed is not None


def test_every_filter_and_sort_answers_what_a_naive_search_answers(search, seeded):
    check_cases(search, seeded, CASES)


def test_without_sorting_in_memory_narrowed_searches_walk_their_sort_index_and_answer_the_same(
    search, seeded, monkeypatch
):
    monkeypatch.setattr(invoice_search, "IN_MEMORY_SORT_LIMIT", 2)

    check_cases(search, seeded, [case for case in CASES if sorted_in_memory(case)])


def test_each_sample_event_answers(search):
    for sample in ("find-page.json", "dynamic-search.json", "dynamic-search-post.json"):
        status, page, headers = call(search, sample)
        assert status == 200, page
        assert headers["Content-Type"] == "application/json"
        assert {"content", "totalElements", "totalPages", "pageable", "sort", "first", "last"} <= set(page)
    status, text, headers = call(search, "csv-export.json")
    assert (status, headers["Content-Type"]) == (200, "text/csv; charset=utf-8")
    assert text.startswith("id,invoiceNumber,status,")


def test_the_page_route_is_seed_001s_page(search, seeded):
    status, page, _ = call(
        search,
        "find-page.json",
        query={"pageNumber": ["1"], "pageSize": ["3"], "sortBy": ["totalWithTax"], "search": ["Müller"]},
    )

    expected = expected_ids(seeded, {}, search=["Müller"], sort=Sort(SortField.TOTAL_WITH_TAX, True), now=NOW)
    assert 3 < len(expected) <= 6
    assert status == 200
    assert [invoice["id"] for invoice in page["content"]] == expected[3:6]
    assert {key: page[key] for key in ("totalElements", "totalPages", "number", "size", "first", "last")} == {
        "totalElements": len(expected),
        "totalPages": 2,
        "number": 1,
        "size": 3,
        "first": False,
        "last": True,
    }
    assert page["pageable"] == {
        "offset": 3,
        "pageNumber": 1,
        "pageSize": 3,
        "paged": True,
        "unpaged": False,
        "sort": {"empty": False, "sorted": True, "unsorted": False},
    }
    assert all(invoice["events"] == [] and invoice["rows"] for invoice in page["content"])


def test_the_post_form_answers_like_the_get_form(search, seeded):
    body = {
        "search": ["beratung"],
        "filters": {"status": ["SENT", "PAID", "OVERDUE"], "currency": "eur"},
        "page": 0,
        "size": 3,
        "sort": [{"field": "invoiceNumber", "ascending": False}],
    }

    status, page, _ = call(search, "dynamic-search-post.json", body=body)

    expected = expected_ids(
        seeded,
        {"status": ["SENT", "PAID", "OVERDUE"], "currency": "EUR"},
        search=["beratung"],
        sort=Sort(SortField.INVOICE_NUMBER, False),
        now=NOW,
    )
    assert status == 200
    assert [invoice["id"] for invoice in page["content"]] == expected[:3]
    assert page["totalElements"] == len(expected)


def cursor_pages(deployment, filters: dict[str, object], size: int) -> list[str]:
    items = bind(SearchCursorItem, deployment.ref("InvoicingTable"))
    search_id = invoice_search.fingerprint(criteria_from(filters), Sort(), size)
    return [item.sk for item in items.query(f"TENANT#acme#SEARCH#{search_id}")]


def test_a_deep_page_is_right_and_leaves_cursors_for_itself_and_the_next_page(search, seeded, deployment):
    expected = expected_ids(seeded, {"currency": "EUR"}, now=NOW)

    status, page, _ = search_get(search, ["currency:EUR"], page=2, size=4)
    _, following, _ = search_get(search, ["currency:EUR"], page=3, size=4)
    _, again, _ = search_get(search, ["currency:EUR"], page=2, size=4)

    assert len(expected) > 16
    assert status == 200
    assert [invoice["id"] for invoice in page["content"]] == expected[8:12]
    assert [invoice["id"] for invoice in following["content"]] == expected[12:16]
    assert again == page
    assert cursor_pages(deployment, {"currency": "EUR"}, 4) == [
        "PAGE#00000002",
        "PAGE#00000003",
        "PAGE#00000004",
    ]


def test_an_expired_cursor_is_not_used(search, seeded, deployment):
    table = deployment.ref("InvoicingTable")
    fingerprint = invoice_search.fingerprint(criteria_from({}), Sort(), PAGE_SIZE)
    stale = bind(SearchCursorItem, table)(
        pk=f"TENANT#acme#SEARCH#{fingerprint}",
        sk="PAGE#00000001",
        positions=json.dumps(["done"]),
        total=1,
        expiresAt=int((NOW - timedelta(minutes=1)).timestamp()),
    )
    stale.save()

    _, page, _ = search_get(search, page=1)

    assert [invoice["id"] for invoice in page["content"]] == expected_ids(seeded, {}, now=NOW)[
        PAGE_SIZE : 2 * PAGE_SIZE
    ]
    assert page["totalElements"] == len(seeded)


def test_pages_past_the_end_and_searches_without_matches_are_empty(search, seeded):
    _, past_the_end, _ = search_get(search, page=99)
    _, nothing, _ = search_get(search, ["status:PAID", "overdue:true"])
    _, no_text, _ = search_get(search, search=["no-such-word"])

    assert (past_the_end["content"], past_the_end["totalElements"], past_the_end["last"]) == (
        [],
        len(seeded),
        True,
    )
    for page in (nothing, no_text):
        assert (page["content"], page["totalElements"], page["totalPages"], page["empty"]) == ([], 0, 0, True)


def test_another_tenant_sees_only_its_own_invoices(search):
    _, page, _ = call(search, "dynamic-search.json", query={"size": ["50"]}, tenant="globex")

    assert page["totalElements"] == 3
    assert {invoice["tenantId"] for invoice in page["content"]} == {"globex"}


@pytest.mark.parametrize(
    ("sample", "query", "body", "field", "named"),
    [
        ("dynamic-search.json", {"filters": ["colour:red"]}, ..., "filters.colour", "colour"),
        ("dynamic-search.json", {"sort": ["colour,asc"]}, ..., "sort", "colour"),
        ("dynamic-search.json", {"status": ["SENT"]}, ..., "status", "status"),
        ("dynamic-search.json", {"size": ["101"]}, ..., "size", "size"),
        (
            "dynamic-search.json",
            {"filters": ["invoiceDateFrom:yesterday"]},
            ...,
            "filters.invoiceDateFrom",
            "invoiceDateFrom",
        ),
        ("find-page.json", {"sortBy": ["colour"]}, ..., "sortBy", "colour"),
        ("find-page.json", {"pageSize": ["500"]}, ..., "pageSize", "pageSize"),
        ("find-page.json", {"filters": ["status:SENT"]}, ..., "filters", "filters"),
        ("dynamic-search-post.json", None, {"filters": {"colour": "red"}}, "filters.colour", "colour"),
        ("dynamic-search-post.json", None, {"sort": [{"field": "colour"}]}, "sort[0].field", "colour"),
        ("csv-export.json", {"filters": ["colour:red"]}, ..., "filters.colour", "colour"),
    ],
)
def test_unknown_names_and_bad_values_are_400_naming_them(search, sample, query, body, field, named):
    status, problem, headers = call(search, sample, query=query, body=body)

    assert status == 400, problem
    assert headers["Content-Type"] == "application/problem+json"
    assert field in problem["errors"], problem
    assert named in problem["detail"] or named in json.dumps(problem["errors"])


def test_searching_needs_the_read_scope(search):
    status, problem, _ = call(search, "dynamic-search.json", scopes="invoices:write")

    assert (status, problem["title"]) == (403, "Forbidden")


def parsed_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_export_holds_every_match_in_sort_order(search, seeded):
    query = {"filters": ["status:SENT,PAID"], "sort": ["totalWithTax,desc"]}

    status, text, headers = call(search, "csv-export.json", query=query)

    expected = expected_ids(
        seeded, {"status": "SENT,PAID"}, sort=Sort(SortField.TOTAL_WITH_TAX, False), now=NOW
    )
    rows = parsed_csv(text)
    assert status == 200
    assert headers["Content-Disposition"].startswith('attachment; filename="invoices-')
    assert [row["id"] for row in rows] == expected
    by_id = {invoice.id: invoice for invoice in seeded}
    assert [row["totalWithTax"] for row in rows] == [
        exact_amount(by_id[row["id"]].totalWithTax, by_id[row["id"]].currency) for row in rows
    ]
    first_page = parsed_csv(call(search, "csv-export.json", query={**query, "size": ["4"], "page": ["1"]})[1])
    assert [row["id"] for row in first_page] == expected[4:8]


def test_csv_export_writes_a_byte_order_mark_and_one_line_per_row_when_asked(search, seeded):
    query = {"filters": ["currency:JPY"]}

    _, plain, _ = call(search, "csv-export.json", query=query)
    status, marked, _ = call(search, "csv-export.json", query={**query, "bom": ["true"]})
    _, per_row, _ = call(search, "csv-export.json", query={**query, "lines": ["true"]})

    assert status == 200
    assert (marked[0], plain[0]) == ("\ufeff", "i")
    assert parsed_csv(marked[1:]) == parsed_csv(plain)
    invoices = {invoice.id: invoice for invoice in seeded if invoice.currency == "JPY"}
    rows = parsed_csv(per_row)
    assert len(rows) == sum(len(invoice.rows) for invoice in invoices.values())
    assert {row["id"] for row in rows} == set(invoices)
    assert sorted(row["total"] for row in rows) == sorted(
        exact_amount(row.total, "JPY") for invoice in invoices.values() for row in invoice.rows
    )


def test_jpy_amounts_have_no_decimals_in_the_export(search, seeded):
    _, text, _ = call(search, "csv-export.json", query={"filters": ["currency:JPY"]})

    assert {row["totalWithTax"].isdigit() for row in parsed_csv(text)} == {True}


def test_an_export_over_the_inline_limit_is_stored_and_linked(search, seeded, monkeypatch, deployment):
    monkeypatch.setattr(search.services.invoice_finder, "csv_inline_limit_bytes", 500)

    status, location, headers = call(search, "csv-export.json", query={"filters": ["currency:EUR"]})

    assert status == 303
    assert headers["Location"] == location["url"]
    url = urlparse(location["url"])
    bucket = deployment.ref("DocumentsBucket")
    key = url.path.lstrip("/").removeprefix(f"{bucket}/")
    assert key.startswith("exports/acme/")
    assert key.endswith(".csv")
    assert "X-Amz-Signature" in parse_qs(url.query)
    stored = boto3.client("s3").get_object(Bucket=bucket, Key=key)
    text = stored["Body"].read().decode()
    assert stored["ContentType"] == "text/csv; charset=utf-8"
    assert (
        len(parsed_csv(text)) == location["rows"] == len(expected_ids(seeded, {"currency": "EUR"}, now=NOW))
    )
    assert location["sizeBytes"] == len(text.encode())


def test_an_export_of_too_many_invoices_is_422(search, monkeypatch):
    monkeypatch.setattr(search.services.invoice_finder, "max_export_rows", 5)

    status, problem, _ = call(search, "csv-export.json", query={"filters": ["status:SENT"]})

    assert status == 422
    assert "narrow the filters" in problem["detail"].lower()
