"""What a search asks for (filters, free text, one sort, a page), parsed from its three request forms.

Filters, by the names requests use (ranges are inclusive; a date-only `...To` includes that day):

- `status`: one or several statuses (a list, repeated, or comma-separated);
- `invoiceDateFrom`/`To`, `dueDateFrom`/`To`, `createdFrom`/`To`: ISO 8601 date or date-time (UTC
  unless it names an offset);
- `amountFrom`/`To`: `totalWithTax`, in the invoice's own currency;
- `currency` (ISO 4217), `opportunityId`, `clientId`: exact value;
- `customerEmail`: the customer's e-mail (the contact e-mail when there is none), any case;
- `overdue`: `true` matches status OVERDUE, or SENT / PARTIALLY_PAID with a due date before now.

Free text: every word of the search terms must occur in the invoice's number, customer or contact
name and e-mail, note or row descriptions, ignoring case and accents (`invoicing.invoices.search_text`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from invoicing.errors import ValidationFailed
from invoicing.invoices.enums import OWED_STATUSES, InvoiceStatus
from invoicing.invoices.model import MAX_AMOUNT, ApiModel
from invoicing.invoices.search_text import search_words
from invoicing.money import is_currency

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_SEARCH_WORDS = 10
MAX_SEARCH_TERM_LENGTH = 200
MAX_FILTER_TEXT_LENGTH = 254


class SortField(StrEnum):
    INVOICE_DATE = "invoiceDate"
    DUE_DATE = "dueDate"
    INVOICE_NUMBER = "invoiceNumber"
    TOTAL_WITH_TAX = "totalWithTax"
    CREATED = "created"
    STATUS = "status"


@dataclass(frozen=True)
class Sort:
    """One sort field; ties are ordered by invoice id. The default is the newest invoice date first."""

    field: SortField = SortField.INVOICE_DATE
    ascending: bool = False


@dataclass(frozen=True)
class TimeRange:
    """From `start` (inclusive) to `end` (exclusive); either side may be open."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class AmountRange:
    """From `low` to `high`, both inclusive; either side may be open."""

    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class Criteria:
    """What the matching invoices have in common; the defaults match every invoice."""

    statuses: frozenset[InvoiceStatus] | None = None
    invoice_date: TimeRange | None = None
    due_date: TimeRange | None = None
    created: TimeRange | None = None
    amount: AmountRange | None = None
    currency: str | None = None
    opportunity_id: str | None = None
    client_id: str | None = None
    customer_email: str | None = None
    overdue: bool = False
    words: tuple[str, ...] = ()

    def counted_by_status(self) -> bool:
        """True when the tenant's counts by status give the number of matches: nothing else filters."""
        return self == Criteria(statuses=self.statuses)

    def possible_statuses(self) -> frozenset[InvoiceStatus] | None:
        """The statuses a match can have (None: any); empty when nothing can match."""
        if not self.overdue:
            return self.statuses
        # OVERDUE, and the other owed ones once their due date has passed
        return OWED_STATUSES if self.statuses is None else self.statuses & OWED_STATUSES


@dataclass(frozen=True)
class PageRequest:
    number: int = 0
    size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return self.number * self.size


@dataclass(frozen=True)
class SearchQuery:
    criteria: Criteria = field(default_factory=Criteria)
    sort: Sort = field(default_factory=Sort)
    page: PageRequest = field(default_factory=PageRequest)


@dataclass(frozen=True)
class Found:
    """The ids of a page (or of a whole export) in sort order, and how many invoices match in all."""

    ids: list[str]
    total: int


#: strict: a JSON integer, not a boolean or a string that reads as one
PageNumber = Annotated[int, Field(ge=0, le=1_000_000, strict=True, description="Zero-based page number.")]
PageSize = Annotated[
    int,
    Field(ge=1, le=MAX_PAGE_SIZE, strict=True, description=f"Invoices per page, at most {MAX_PAGE_SIZE}."),
]


class SortOrder(ApiModel):
    field: str = Field(
        description=f"One of {', '.join(SortField)}.", json_schema_extra={"enum": list(SortField)}
    )
    ascending: bool = True


class SearchRequest(ApiModel):
    """The body of POST /v1/invoices/dynamic-search (seed 001)."""

    search: list[Annotated[str, Field(max_length=MAX_SEARCH_TERM_LENGTH)]] = Field(
        default_factory=list, description="Free-text terms; an invoice matches when it contains every word."
    )
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description="Filter name -> value. status, invoiceDateFrom, invoiceDateTo, dueDateFrom, dueDateTo, "
        "createdFrom, createdTo, amountFrom, amountTo (totalWithTax), currency, opportunityId, clientId, "
        "customerEmail, overdue (true: OVERDUE, or SENT/PARTIALLY_PAID past their due date).",
    )
    page: PageNumber = 0
    size: PageSize = DEFAULT_PAGE_SIZE
    sort: list[SortOrder] = Field(
        default_factory=list,
        description="At most one field; the default is invoiceDate descending.",
        json_schema_extra={"maxItems": 1},
    )


# --- filters -------------------------------------------------------------------------------------


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Give a non-empty text.")
    if len(value) > MAX_FILTER_TEXT_LENGTH:
        raise ValueError(f"At most {MAX_FILTER_TEXT_LENGTH} characters.")
    return value.strip()


def _currency(value: object) -> str:
    code = _text(value).upper()
    if not is_currency(code):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code.")
    return code


def _email(value: object) -> str:
    return _text(value).lower()


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError("Give true or false.")


def _statuses(value: object) -> frozenset[InvoiceStatus]:
    values = value if isinstance(value, list) else [value]
    names = [part.strip() for item in values for part in _text(item).split(",") if part.strip()]
    unknown = [name for name in names if name not in InvoiceStatus.__members__]
    if unknown:
        raise ValueError(f"Unknown status {', '.join(unknown)}; statuses are {', '.join(InvoiceStatus)}.")
    return frozenset(InvoiceStatus(name) for name in names)


def _amount(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError("Give a number.")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError("Give a number.") from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise ValueError(f"Give a number between -{MAX_AMOUNT:,.0f} and {MAX_AMOUNT:,.0f}.")
    return amount


def _moment(value: object, *, end: bool) -> datetime:
    """The instant a `...From` starts at, or the exclusive instant a `...To` ends at."""
    text = _text(value)
    try:
        if len(text) == len("2026-01-01"):
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("Give an ISO 8601 date (2026-01-31) or date-time (2026-01-31T12:00:00Z).") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment + timedelta(microseconds=1) if end else moment


def _start(value: object) -> datetime:
    return _moment(value, end=False)


def _end(value: object) -> datetime:
    return _moment(value, end=True)


_FILTERS: dict[str, Callable[[object], object]] = {
    "status": _statuses,
    "invoiceDateFrom": _start,
    "invoiceDateTo": _end,
    "dueDateFrom": _start,
    "dueDateTo": _end,
    "createdFrom": _start,
    "createdTo": _end,
    "amountFrom": _amount,
    "amountTo": _amount,
    "currency": _currency,
    "opportunityId": _text,
    "clientId": _text,
    "customerEmail": _email,
    "overdue": _flag,
}
FILTER_NAMES = tuple(_FILTERS)
#: filters that take one or several values; the others take exactly one
_MULTI_VALUED = frozenset({"status"})


def _filter_error(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"Filter {name}: {message}", field_errors={f"filters.{name}": [message]})


def _parsed_filters(filters: Mapping[str, object]) -> dict[str, Any]:
    unknown = [name for name in filters if name not in _FILTERS]
    if unknown:
        raise ValidationFailed(
            f"Unknown filter: {', '.join(unknown)}. Filters are {', '.join(FILTER_NAMES)}.",
            field_errors={f"filters.{name}": ["Unknown filter."] for name in unknown},
        )
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Any] = {}
    for name, value in filters.items():
        if value is None:
            continue
        try:
            if isinstance(value, list) and name not in _MULTI_VALUED:
                raise ValueError("Give one value.")
            parsed[name] = _FILTERS[name](value)
        except ValueError as error:
            errors[f"filters.{name}"] = [str(error)]
    if errors:
        fields = ", ".join(errors)
        raise ValidationFailed(f"Invalid filters: {fields}.", field_errors=errors)
    return parsed


def _time_range(parsed: Mapping[str, Any], prefix: str) -> TimeRange | None:
    start, end = parsed.get(f"{prefix}From"), parsed.get(f"{prefix}To")
    if start is None and end is None:
        return None
    if start is not None and end is not None and start >= end:
        raise _filter_error(f"{prefix}To", f"Must not be before {prefix}From.")
    return TimeRange(start, end)


def _amount_range(parsed: Mapping[str, Any]) -> AmountRange | None:
    low, high = parsed.get("amountFrom"), parsed.get("amountTo")
    if low is None and high is None:
        return None
    if low is not None and high is not None and low > high:
        raise _filter_error("amountTo", "Must not be below amountFrom.")
    return AmountRange(low, high)


def _words(terms: Iterable[str]) -> tuple[str, ...]:
    terms = list(terms)
    if any(len(term) > MAX_SEARCH_TERM_LENGTH for term in terms):
        message = f"A search term has at most {MAX_SEARCH_TERM_LENGTH} characters."
        raise ValidationFailed(message, field_errors={"search": [message]})
    words = search_words(terms)
    if len(words) > MAX_SEARCH_WORDS:
        message = f"Search for at most {MAX_SEARCH_WORDS} words."
        raise ValidationFailed(message, field_errors={"search": [message]})
    return words


def criteria_from(filters: Mapping[str, object], terms: Iterable[str] = ()) -> Criteria:
    """Criteria from filter values (JSON values or query-string text) and free-text terms."""
    parsed = _parsed_filters(filters)
    return Criteria(
        statuses=parsed.get("status") or None,
        invoice_date=_time_range(parsed, "invoiceDate"),
        due_date=_time_range(parsed, "dueDate"),
        created=_time_range(parsed, "created"),
        amount=_amount_range(parsed),
        currency=parsed.get("currency"),
        opportunity_id=parsed.get("opportunityId"),
        client_id=parsed.get("clientId"),
        customer_email=parsed.get("customerEmail"),
        overdue=parsed.get("overdue", False),
        words=_words(terms),
    )


def filters_from_query(values: Iterable[str]) -> dict[str, object]:
    """`filters=name:value` query parameters (seed 001's form); a repeated name gives a list."""
    filters: dict[str, object] = {}
    for value in values:
        name, separator, text = value.partition(":")
        if not separator:
            message = f"Give filters as name:value, got {value!r}."
            raise ValidationFailed(message, field_errors={"filters": [message]})
        name = name.strip()
        previous = filters.get(name)
        if previous is None:
            filters[name] = text
        else:
            filters[name] = [*previous, text] if isinstance(previous, list) else [previous, text]
    return filters


# --- sort ----------------------------------------------------------------------------------------


def _sort(name: str, ascending: bool, parameter: str) -> Sort:
    if name not in SortField._value2member_map_:
        raise ValidationFailed(
            f"Unknown sort field: {name}. Sort by one of {', '.join(SortField)}.",
            field_errors={parameter: [f"Unknown sort field {name!r}."]},
        )
    return Sort(SortField(name), ascending)


def _one_sort(count: int, parameter: str) -> None:
    if count > 1:
        message = "Sort by one field; ties are ordered by invoice id."
        raise ValidationFailed(message, field_errors={parameter: [message]})


def _direction(text: str, parameter: str) -> bool:
    """True for ascending."""
    if text.strip().upper() not in ("ASC", "DESC"):
        message = f"Direction is ASC or DESC, not {text!r}."
        raise ValidationFailed(message, field_errors={parameter: [message]})
    return text.strip().upper() == "ASC"


def sort_from_page_parameters(sort_by: str | None, direction: str | None) -> Sort:
    """`sortBy` and `direction` of GET /page. Without `sortBy`: invoice date, newest first unless
    `direction` says otherwise; with `sortBy` the default direction is ascending."""
    if sort_by is None:
        return Sort(ascending=direction is not None and _direction(direction, "direction"))
    ascending = True if direction is None else _direction(direction, "direction")
    return _sort(sort_by.strip(), ascending, "sortBy")


def sort_from_query(values: Collection[str]) -> Sort:
    """Spring's `sort=field[,asc|desc]` (ascending unless it says desc)."""
    _one_sort(len(values), "sort")
    if not values:
        return Sort()
    name, _, direction = next(iter(values)).partition(",")
    return _sort(name.strip(), _direction(direction, "sort") if direction else True, "sort")


def sort_from_body(orders: Collection[SortOrder]) -> Sort:
    _one_sort(len(orders), "sort")
    if not orders:
        return Sort()
    order = next(iter(orders))
    return _sort(order.field, order.ascending, "sort[0].field")


# --- whole requests ------------------------------------------------------------------------------


def reject_unknown_parameters(present: Iterable[str], allowed: Collection[str]) -> None:
    """A query parameter the route does not take is a 400 naming it (a misspelt filter is not ignored)."""
    unknown = sorted(set(present) - set(allowed))
    if not unknown:
        return
    hints = [f"give filters as filters={name}:<value>" for name in unknown if name in _FILTERS]
    message = f"Unknown query parameter: {', '.join(unknown)}. This route takes {', '.join(sorted(allowed))}"
    raise ValidationFailed(
        message + (f"; {hints[0]}." if hints else "."),
        field_errors={name: ["Unknown query parameter."] for name in unknown},
    )


def query_from_request(request: SearchRequest) -> SearchQuery:
    return SearchQuery(
        criteria_from(request.filters, request.search),
        sort_from_body(request.sort),
        PageRequest(request.page, request.size),
    )


def query_from_parameters(
    *, search: Iterable[str], filters: Iterable[str], sort: Collection[str], page: int, size: int
) -> SearchQuery:
    """GET /dynamic-search and /csv-export: the body's fields as query parameters."""
    return SearchQuery(
        criteria_from(filters_from_query(filters), search), sort_from_query(sort), PageRequest(page, size)
    )
