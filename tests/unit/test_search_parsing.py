"""Search requests: filters, free text, the one sort and unknown names, in all three request forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from invoicing.errors import ValidationFailed
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.search import (
    FILTER_NAMES,
    AmountRange,
    Criteria,
    PageRequest,
    SearchRequest,
    Sort,
    SortField,
    TimeRange,
    criteria_from,
    filters_from_query,
    query_from_parameters,
    query_from_request,
    reject_unknown_parameters,
    sort_from_page_parameters,
)


def test_no_filters_match_everything_and_totals_come_from_the_figures():
    criteria = criteria_from({})

    assert criteria == Criteria()
    assert criteria.counted_by_status()
    assert criteria.possible_statuses() is None


@pytest.mark.parametrize("value", ["SENT,PAID", ["SENT", "PAID"], ["SENT", "PAID,SENT"], " SENT , PAID "])
def test_status_takes_one_or_several_values(value):
    criteria = criteria_from({"status": value})

    assert criteria.statuses == {InvoiceStatus.SENT, InvoiceStatus.PAID}
    assert criteria.counted_by_status()


def test_an_unknown_filter_is_named_with_the_known_ones():
    with pytest.raises(ValidationFailed) as raised:
        criteria_from({"status": "SENT", "colour": "red"})

    assert "Unknown filter: colour" in raised.value.message
    assert "customerEmail" in raised.value.message
    assert raised.value.field_errors == {"filters.colour": ["Unknown filter."]}


def test_every_bad_value_is_named():
    with pytest.raises(ValidationFailed) as raised:
        criteria_from(
            {
                "status": "LOST",
                "currency": "XXY",
                "amountFrom": "a lot",
                "overdue": "maybe",
                "clientId": ["a", "b"],
            }
        )

    errors = raised.value.field_errors
    assert set(errors) == {
        "filters.status",
        "filters.currency",
        "filters.amountFrom",
        "filters.overdue",
        "filters.clientId",
    }
    assert "LOST" in errors["filters.status"][0]
    assert errors["filters.clientId"] == ["Give one value."]


def test_a_date_only_range_includes_both_whole_days():
    criteria = criteria_from({"invoiceDateFrom": "2026-11-01", "invoiceDateTo": "2026-11-30"})

    assert criteria.invoice_date == TimeRange(
        datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    )


def test_a_date_time_bound_is_inclusive_and_converted_to_utc():
    criteria = criteria_from(
        {"dueDateFrom": "2026-11-01T10:00:00+02:00", "dueDateTo": "2026-11-02T12:00:00Z"}
    )

    assert criteria.due_date == TimeRange(
        datetime(2026, 11, 1, 8, tzinfo=UTC),
        datetime(2026, 11, 2, 12, tzinfo=UTC) + timedelta(microseconds=1),
    )


def test_a_range_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        criteria_from({"createdFrom": "2026-11-02", "createdTo": "2026-11-01"})

    assert raised.value.field_errors == {"filters.createdTo": ["Must not be before createdFrom."]}
    with pytest.raises(ValidationFailed, match="amountTo"):
        criteria_from({"amountFrom": 10, "amountTo": "9.99"})


def test_amounts_currency_and_identifiers():
    criteria = criteria_from(
        {
            "amountFrom": Decimal("10.5"),
            "amountTo": "1000",
            "currency": "eur",
            "opportunityId": "opp-1",
            "clientId": "client-7",
            "customerEmail": " AP@Globex.TEST ",
            "overdue": "true",
        }
    )

    assert criteria.amount == AmountRange(Decimal("10.5"), Decimal(1000))
    assert (criteria.currency, criteria.opportunity_id, criteria.client_id) == ("EUR", "opp-1", "client-7")
    assert criteria.customer_email == "ap@globex.test"
    assert criteria.overdue
    assert not criteria.counted_by_status()


def test_overdue_narrows_the_statuses_a_match_can_have():
    assert criteria_from({"overdue": True}).possible_statuses() == {
        InvoiceStatus.OVERDUE,
        InvoiceStatus.SENT,
        InvoiceStatus.PARTIALLY_PAID,
    }
    assert criteria_from({"overdue": True, "status": "SENT,DRAFT"}).possible_statuses() == {
        InvoiceStatus.SENT
    }
    assert criteria_from({"overdue": True, "status": "PAID"}).possible_statuses() == frozenset()
    assert criteria_from({"overdue": False, "status": "PAID"}).possible_statuses() == {InvoiceStatus.PAID}


def test_null_filters_are_ignored():
    assert criteria_from({"status": None, "currency": None}) == Criteria()


def test_search_terms_become_normalised_words():
    criteria = criteria_from({}, ["  Müller  GmbH", "müller"])

    assert criteria.words == ("muller", "gmbh")
    assert not criteria.counted_by_status()


def test_too_many_search_words_are_refused():
    with pytest.raises(ValidationFailed) as raised:
        criteria_from({}, [" ".join(f"w{n}" for n in range(11))])

    assert "search" in raised.value.field_errors


def test_query_filters_are_name_value_pairs_and_repeat_into_lists():
    filters = filters_from_query(["status:SENT", "status:PAID", "invoiceDateFrom:2026-01-01T10:00:00Z"])

    assert filters == {"status": ["SENT", "PAID"], "invoiceDateFrom": "2026-01-01T10:00:00Z"}
    with pytest.raises(ValidationFailed, match="name:value"):
        filters_from_query(["SENT"])


def test_page_parameters_sort_newest_first_by_default_and_ascending_once_a_field_is_named():
    assert sort_from_page_parameters(None, None) == Sort(SortField.INVOICE_DATE, ascending=False)
    assert sort_from_page_parameters(None, "asc") == Sort(SortField.INVOICE_DATE, ascending=True)
    assert sort_from_page_parameters("dueDate", None) == Sort(SortField.DUE_DATE, ascending=True)
    assert sort_from_page_parameters("totalWithTax", "DESC") == Sort(
        SortField.TOTAL_WITH_TAX, ascending=False
    )


def test_an_unknown_sort_field_or_direction_is_named():
    with pytest.raises(ValidationFailed) as raised:
        sort_from_page_parameters("colour", None)
    assert "Unknown sort field: colour" in raised.value.message
    assert raised.value.field_errors == {"sortBy": ["Unknown sort field 'colour'."]}

    with pytest.raises(ValidationFailed) as raised:
        sort_from_page_parameters("status", "sideways")
    assert "direction" in raised.value.field_errors


def test_get_form_takes_spring_sort_and_one_field_only():
    query = query_from_parameters(
        search=["acme"], filters=["currency:USD"], sort=["invoiceNumber,desc"], page=2, size=50
    )

    assert query.sort == Sort(SortField.INVOICE_NUMBER, ascending=False)
    assert query.criteria == Criteria(currency="USD", words=("acme",))
    assert query.page == PageRequest(2, 50)
    assert query_from_parameters(search=[], filters=[], sort=["created"], page=0, size=20).sort == Sort(
        SortField.CREATED, ascending=True
    )
    with pytest.raises(ValidationFailed, match="Sort by one field"):
        query_from_parameters(search=[], filters=[], sort=["created", "status"], page=0, size=20)
    with pytest.raises(ValidationFailed, match="Unknown sort field: colour"):
        query_from_parameters(search=[], filters=[], sort=["colour,asc"], page=0, size=20)


def test_post_form():
    request = SearchRequest.model_validate(
        {
            "search": ["Straße"],
            "filters": {"status": ["SENT"], "overdue": True},
            "page": 1,
            "size": 5,
            "sort": [{"field": "status", "ascending": False}],
        }
    )

    query = query_from_request(request)

    assert query.criteria == Criteria(
        statuses=frozenset({InvoiceStatus.SENT}), overdue=True, words=("strasse",)
    )
    assert query.sort == Sort(SortField.STATUS, ascending=False)
    assert query.page.offset == 5
    with pytest.raises(ValidationFailed) as raised:
        query_from_request(SearchRequest.model_validate({"sort": [{"field": "colour"}]}))
    assert raised.value.field_errors == {"sort[0].field": ["Unknown sort field 'colour'."]}


def test_post_form_caps_the_page_size():
    with pytest.raises(ValueError, match="less than or equal to 100"):
        SearchRequest.model_validate({"size": 101})


def test_an_unknown_query_parameter_is_named_and_a_filter_name_gets_a_hint():
    reject_unknown_parameters(["page", "size"], ("page", "size", "sort"))
    with pytest.raises(ValidationFailed) as raised:
        reject_unknown_parameters(["page", "status"], ("page", "filters"))

    assert "Unknown query parameter: status" in raised.value.message
    assert "filters=status:<value>" in raised.value.message
    assert raised.value.field_errors == {"status": ["Unknown query parameter."]}


def test_the_filter_vocabulary():
    assert set(FILTER_NAMES) == {
        "status",
        "invoiceDateFrom",
        "invoiceDateTo",
        "dueDateFrom",
        "dueDateTo",
        "createdFrom",
        "createdTo",
        "amountFrom",
        "amountTo",
        "currency",
        "opportunityId",
        "clientId",
        "customerEmail",
        "overdue",
    }
