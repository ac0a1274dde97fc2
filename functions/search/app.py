"""Finding invoices: seed 001's page, dynamic search and CSV export, paid per page at any tenant size."""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import SearchServices

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from invoicing.api.identity import READ_INVOICES, current_principal
from invoicing.invoices.csv_export import CSV_CONTENT_TYPE, MAX_EXPORT_ROWS, ExportLocation
from invoicing.invoices.paging import InvoicePage
from invoicing.invoices.search import (
    DEFAULT_PAGE_SIZE,
    FILTER_NAMES,
    MAX_PAGE_SIZE,
    MAX_SEARCH_TERM_LENGTH,
    PageRequest,
    SearchQuery,
    SearchRequest,
    SortField,
    criteria_from,
    query_from_parameters,
    query_from_request,
    reject_unknown_parameters,
    sort_from_page_parameters,
)

function = ApiFunction(SearchServices)
app = function.app
services = function.services

PAGE_PARAMETERS = ("pageNumber", "pageSize", "sortBy", "direction", "search")
SEARCH_PARAMETERS = ("search", "filters", "page", "size", "sort")
CSV_PARAMETERS = (*SEARCH_PARAMETERS, "bom", "lines")

PageNumber = Annotated[int, Query(ge=0, le=1_000_000, description="Zero-based page number.")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"At most {MAX_PAGE_SIZE}.")]
SORT_PATTERN = f"^\\s*({'|'.join(SortField)})\\s*(,\\s*([aA][sS][cC]|[dD][eE][sS][cC])\\s*)?$"
SearchTerms = Annotated[
    list[str] | None,
    Query(
        description="Free-text terms; a match contains every word (any case or accent).",
        json_schema_extra={"items": {"type": "string", "maxLength": MAX_SEARCH_TERM_LENGTH}},
    ),
]
Filters = Annotated[
    list[str] | None,
    Query(
        description="name:value, repeated, e.g. filters=status:SENT,PAID&filters=invoiceDateFrom:2026-01-01.",
        json_schema_extra={"items": {"type": "string", "pattern": f"^\\s*({'|'.join(FILTER_NAMES)})\\s*:"}},
    ),
]
Sorts = Annotated[
    list[str] | None,
    Query(
        description="field[,asc|desc], one field; default invoiceDate,desc.",
        json_schema_extra={
            "maxItems": 1,
            "items": {"type": "string", "pattern": SORT_PATTERN},
        },
    ),
]
CSV_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {
        "description": "The CSV file (text/csv; charset=utf-8), when it fits in the response.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    303: {
        "description": "A larger export: download it from Location (pre-signed, 15 minutes).",
        "content": {"application/json": {"model": ExportLocation}},
    },
    422: {"description": f"More than {MAX_EXPORT_ROWS:,} invoices match: narrow the search or export pages."},
}


def _reject_unknown_parameters(allowed: tuple[str, ...]) -> None:
    reject_unknown_parameters(app.current_event.multi_value_query_string_parameters or {}, allowed)


def _page(query: SearchQuery) -> InvoicePage:
    return services.invoice_finder.page(current_principal(app).tenant_id, query)


@app.get("/v1/invoices/page", middlewares=READ_INVOICES)
@function.tracer.capture_method
def find_page(
    pageNumber: PageNumber = 0,
    pageSize: PageSize = DEFAULT_PAGE_SIZE,
    sortBy: Annotated[
        str | None,
        Query(
            description="invoiceDate (default), dueDate, invoiceNumber, totalWithTax, created or status.",
            json_schema_extra={"enum": list(SortField)},
        ),
    ] = None,
    direction: Annotated[
        str | None, Query(description="ASC or DESC.", json_schema_extra={"enum": ["ASC", "DESC"]})
    ] = None,
    search: Annotated[str | None, Query(description="Free text; a match contains every word.")] = None,
) -> InvoicePage:
    """A page of invoices; without sortBy the newest invoice date comes first."""
    _reject_unknown_parameters(PAGE_PARAMETERS)
    return _page(
        SearchQuery(
            criteria_from({}, [search] if search else []),
            sort_from_page_parameters(sortBy, direction),
            PageRequest(pageNumber, pageSize),
        )
    )


@app.get("/v1/invoices/dynamic-search", middlewares=READ_INVOICES)
@function.tracer.capture_method
def dynamic_search(
    search: SearchTerms = None,
    filters: Filters = None,
    page: PageNumber = 0,
    size: PageSize = DEFAULT_PAGE_SIZE,
    sort: Sorts = None,
) -> InvoicePage:
    """The POST form's fields as query parameters; an unknown filter or sort field is 400."""
    _reject_unknown_parameters(SEARCH_PARAMETERS)
    return _page(
        query_from_parameters(
            search=search or [], filters=filters or [], sort=sort or [], page=page, size=size
        )
    )


@app.post("/v1/invoices/dynamic-search", middlewares=READ_INVOICES)
@function.tracer.capture_method
def dynamic_search_post(request: SearchRequest) -> InvoicePage:
    return _page(query_from_request(request))


@app.get("/v1/invoices/csv-export", middlewares=READ_INVOICES, responses=CSV_RESPONSES)
@function.tracer.capture_method
def csv_export(
    search: SearchTerms = None,
    filters: Filters = None,
    sort: Sorts = None,
    page: Annotated[int | None, Query(ge=0, description="Export only this page (with size).")] = None,
    size: Annotated[int | None, Query(ge=1, le=MAX_PAGE_SIZE)] = None,
    bom: Annotated[
        bool, Query(description="Start the file with a UTF-8 byte-order mark (for Excel on Windows).")
    ] = False,
    lines: Annotated[
        bool, Query(description="One line per invoice row (its invoice named first) instead of per invoice.")
    ] = False,
) -> Response[str]:
    """Every matching invoice as CSV (at most 20,000: more is 422), or one page of them with page and
    size. 200 text/csv is the file; 303 means it was too large for a response: download it from the
    Location header (the body is an ExportLocation with the same link)."""
    _reject_unknown_parameters(CSV_PARAMETERS)
    query = query_from_parameters(
        search=search or [],
        filters=filters or [],
        sort=sort or [],
        page=page or 0,
        size=size or DEFAULT_PAGE_SIZE,
    )
    exported = services.invoice_finder.export_csv(
        current_principal(app).tenant_id, query, whole=page is None and size is None, lines=lines, bom=bom
    )
    if isinstance(exported, ExportLocation):
        return Response(
            303, "application/json", exported.model_dump_json(), headers={"Location": exported.url}
        )
    disposition = f'attachment; filename="{exported.file_name}"'
    return Response(200, CSV_CONTENT_TYPE, exported.text, headers={"Content-Disposition": disposition})


lambda_handler = function.handler(idempotent=True, keeps_large_responses=True)
