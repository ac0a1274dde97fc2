"""Search plans: which index each search walks, what is a key condition and what is filtered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from invoicing.adapters.search_plan import Walk, plan_search
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.search import Sort, SortField, criteria_from

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
NEWEST_FIRST = Sort()


def plan(filters=None, sort=NEWEST_FIRST, words=()):
    return plan_search("acme", criteria_from(filters or {}, words), sort, NOW)


def text(condition) -> str:
    return str(condition) if condition is not None else ""


def only_walk(search_plan) -> Walk:
    (walk,) = search_plan.walks
    return walk


def test_an_unfiltered_listing_walks_the_tenant_by_invoice_date_with_nothing_to_filter():
    walk = only_walk(plan())

    assert (walk.index, walk.hash_attribute, walk.hash_key) == ("ByInvoiceDate", "tenantKey", "TENANT#acme")
    assert (walk.range_condition, walk.filter, walk.ascending) == (None, None, False)


def test_a_date_range_is_a_key_condition():
    walk = only_walk(plan({"invoiceDateFrom": "2026-11-01", "invoiceDateTo": "2026-11-07"}))

    assert walk.index == "ByInvoiceDate"
    assert text(walk.range_condition) == (
        "invoiceDateKey BETWEEN {'S': '2026-11-01T00:00:00+00:00'} AND {'S': '2026-11-08T00:00:00+00:00'}"
    )
    assert walk.filter is None


def test_statuses_are_partitions_merged_by_invoice_date():
    search_plan = plan({"status": "SENT,PAID", "invoiceDateFrom": "2026-11-01"})

    assert [walk.hash_key for walk in search_plan.walks] == [
        "TENANT#acme#STATUS#SENT",
        "TENANT#acme#STATUS#PAID",
    ]
    assert {walk.rank for walk in search_plan.walks} == {0}
    assert all(walk.filter is None and walk.range_condition is not None for walk in search_plan.walks)


def test_a_status_sort_walks_the_status_partitions_one_after_another():
    search_plan = plan(sort=Sort(SortField.STATUS, ascending=True))

    assert [walk.hash_key.rsplit("#", 1)[1] for walk in search_plan.walks] == sorted(InvoiceStatus)
    assert [walk.rank for walk in search_plan.walks] == list(range(len(InvoiceStatus)))
    descending = plan({"status": "PAID,DRAFT"}, sort=Sort(SortField.STATUS, ascending=False))
    assert [walk.hash_key.rsplit("#", 1)[1] for walk in descending.walks] == ["PAID", "DRAFT"]


def test_overdue_walks_the_overdue_and_unpaid_partitions_and_checks_the_due_date_of_unpaid_ones():
    search_plan = plan({"overdue": True})

    filters = {walk.hash_key.rsplit("#", 1)[1]: text(walk.filter) for walk in search_plan.walks}
    assert set(filters) == {"OVERDUE", "PARTIALLY_PAID", "SENT"}
    assert filters["OVERDUE"] == ""
    assert "dueDateKey BETWEEN {'S': '0'} AND {'S': '2026-11-22T10:00:00+00:00'}" in filters["SENT"]


def test_overdue_on_another_index_is_one_filter():
    walk = only_walk(plan({"overdue": True}, sort=Sort(SortField.TOTAL_WITH_TAX)))

    assert walk.index == "ByAmount"
    assert "status = {'S': 'OVERDUE'}" in text(walk.filter)
    assert "status = {'S': 'SENT'}" in text(walk.filter)


def test_statuses_that_cannot_be_overdue_match_nothing():
    assert plan({"overdue": True, "status": "PAID"}).matches_nothing


def test_an_opportunity_or_customer_is_a_partition():
    walk = only_walk(plan({"opportunityId": "opp-1", "customerEmail": "AP@x.test", "currency": "EUR"}))

    assert (walk.index, walk.hash_key) == ("ByOpportunity", "TENANT#acme#OPPORTUNITY#opp-1")
    assert "customerKey = {'S': 'TENANT#acme#CUSTOMER#ap@x.test'}" in text(walk.filter)
    assert "currency = {'S': 'EUR'}" in text(walk.filter)
    assert only_walk(plan({"customerEmail": "ap@x.test"})).index == "ByCustomer"


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        (SortField.DUE_DATE, "ByDueDate"),
        (SortField.INVOICE_NUMBER, "ByNumber"),
        (SortField.TOTAL_WITH_TAX, "ByAmount"),
        (SortField.CREATED, "ByCreated"),
    ],
)
def test_other_sorts_walk_their_own_index(sort, index):
    search_plan = plan(sort=Sort(sort, ascending=True))

    assert only_walk(search_plan).index == index
    assert only_walk(search_plan).ascending
    assert search_plan.narrowed is None


def test_a_range_on_the_sort_field_is_the_key_condition_and_nothing_is_sorted_in_memory():
    search_plan = plan({"amountFrom": 100, "status": "SENT"}, sort=Sort(SortField.TOTAL_WITH_TAX))

    walk = only_walk(search_plan)
    assert text(walk.range_condition) == "amountKey BETWEEN {'N': '100'} AND {'N': '1.0E+13'}"
    assert text(walk.filter) == "status IN ({'S': 'SENT'})"
    assert search_plan.narrowed is None


def test_a_narrower_range_than_the_sort_index_is_offered_for_sorting_in_memory():
    by_partition = plan({"opportunityId": "opp-1"}, sort=Sort(SortField.DUE_DATE))
    by_status = plan({"status": "OVERDUE"}, sort=Sort(SortField.INVOICE_NUMBER))
    by_range = plan({"invoiceDateFrom": "2026-11-01"}, sort=Sort(SortField.CREATED))

    assert [walk.index for walk in by_partition.narrowed] == ["ByOpportunity"]
    assert only_walk(by_partition).index == "ByDueDate"
    assert "opportunityKey" in text(only_walk(by_partition).filter)
    assert [walk.hash_key for walk in by_status.narrowed] == ["TENANT#acme#STATUS#OVERDUE"]
    assert [walk.index for walk in by_range.narrowed] == ["ByInvoiceDate"]
    assert by_range.narrowed[0].range_condition is not None
    assert plan({"opportunityId": "o"}, sort=Sort(SortField.STATUS)).narrowed[0].index == "ByOpportunity"


def test_free_text_words_must_all_be_contained():
    walk = only_walk(plan(words=["Müller GmbH"]))

    assert (
        text(walk.filter)
        == "(contains (searchText, {'S': 'muller'}) AND contains (searchText, {'S': 'gmbh'}))"
    )
