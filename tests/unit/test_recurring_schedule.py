"""The recurring plan's date arithmetic: occurrence k is the anchor plus k intervals, clamped to the
month's end; the catch-up rule issues each missed occurrence once, dated its own date."""

from __future__ import annotations

import calendar
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.invoices.model import RecurringAgreement, RecurringAgreementInput
from invoicing.recurring.schedule import Occurrence, Plan, add_months, agreed, shifted


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def plan(
    anchor: datetime, *, months: int = 0, days: int = 0, issued: int = 0, end: datetime | None = None
) -> Plan:
    return Plan(anchor=anchor, anchor_occurrence=0, issued=issued, months=months, days=days, end=end)


anchors = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC, microsecond=0)
)
month_intervals = st.integers(min_value=0, max_value=120)
day_intervals = st.integers(min_value=0, max_value=3650)


def test_a_month_end_series_stays_on_month_ends():
    dates = [occurrence.date for occurrence in plan(at(2027, 1, 31), months=1).due(at(2027, 6, 30))]

    assert dates == [
        at(2027, 1, 31),
        at(2027, 2, 28),
        at(2027, 3, 31),
        at(2027, 4, 30),
        at(2027, 5, 31),
        at(2027, 6, 30),
    ]


def test_a_leap_day_series_falls_on_the_last_of_february_then_back_on_the_29th():
    yearly = plan(at(2028, 2, 29), months=12)

    assert [yearly.date_of(n) for n in (1, 2, 5)] == [at(2028, 2, 29), at(2029, 2, 28), at(2032, 2, 29)]


def test_months_and_days_add_up_per_occurrence():
    assert plan(at(2027, 1, 31), months=1, days=1).date_of(3) == add_months(at(2027, 1, 31), 2) + timedelta(
        days=2
    )


@given(anchors, st.integers(min_value=-1200, max_value=1200))
def test_adding_months_keeps_the_day_or_takes_the_months_last(anchor, months):
    moved = add_months(anchor, months)

    assert (moved.year * 12 + moved.month) - (anchor.year * 12 + anchor.month) == months
    assert moved.day == min(anchor.day, calendar.monthrange(moved.year, moved.month)[1])
    assert moved.time() == anchor.time()


@given(anchors, month_intervals, day_intervals, st.integers(min_value=0, max_value=400))
def test_occurrence_k_is_the_anchor_plus_k_intervals_never_the_previous_plus_one(anchor, months, days, k):
    expected = add_months(anchor, k * months) + timedelta(days=k * days)

    assert shifted(anchor, months, days, k) == expected
    if months and not days:
        assert shifted(anchor, months, days, k).day == min(
            anchor.day, calendar.monthrange(expected.year, expected.month)[1]
        )


@given(anchors, month_intervals, day_intervals)
def test_occurrences_strictly_increase(anchor, months, days):
    if months == 0 and days == 0:
        days = 1
    series = plan(anchor, months=months, days=days)
    dates = [series.date_of(n) for n in range(1, 40)]

    assert all(earlier < later for earlier, later in itertools.pairwise(dates))


@given(anchors, month_intervals, day_intervals, st.integers(min_value=0, max_value=60), st.integers(0, 2000))
def test_catch_up_issues_every_missed_occurrence_once_each_on_its_own_date(
    anchor, months, days, issued, outage_days
):
    if months == 0 and days == 0:
        months = 1
    series = plan(anchor, months=months, days=days, issued=issued)
    now = (series.date_of(issued + 1) or anchor) + timedelta(days=outage_days)

    due = list(series.due(now))

    assert [occurrence.number for occurrence in due] == list(range(issued + 1, issued + 1 + len(due)))
    assert [occurrence.date for occurrence in due] == [series.date_of(o.number) for o in due]
    assert all(occurrence.date <= now for occurrence in due)
    following = series.date_of(issued + 1 + len(due))
    assert following is None or following > now
    assert due, "the first occurrence was due at the outage's start"


@given(anchors, st.integers(1, 24), st.integers(0, 40), st.integers(1, 40))
def test_issuing_in_steps_gives_the_same_series_as_one_catch_up(anchor, months, first_run, later_runs):
    """However the runs fall (one after an outage, or one per occurrence), the series is the same."""
    series = plan(anchor, months=months)
    end = series.date_of(first_run + later_runs + 1)
    assert end is not None
    at_once = list(series.due(end))

    stepwise: list[Occurrence] = []
    current = series
    for step in (series.date_of(first_run + 1), end):
        assert step is not None
        for occurrence in current.due(step):
            stepwise.append(occurrence)
            current = current.after(occurrence)

    assert stepwise == at_once


def test_nothing_after_the_end_date_is_issued():
    series = plan(at(2027, 1, 31), months=1, end=at(2027, 3, 31))

    assert [o.date for o in series.due(at(2030, 1, 1))] == [at(2027, 1, 31), at(2027, 2, 28), at(2027, 3, 31)]
    assert series.after(Occurrence(3, at(2027, 3, 31))).next() is None


def test_a_series_that_leaves_the_calendar_ends():
    assert plan(datetime(9999, 11, 30, tzinfo=UTC), months=1).date_of(3) is None


def terms(next_date: datetime, **fields: object) -> RecurringAgreementInput:
    return RecurringAgreementInput.model_validate(
        {"intervalMonths": 1, "nextInvoiceDate": next_date, **fields}
    )


def month_ends_from_january(**fields: object) -> RecurringAgreement:
    return RecurringAgreement.model_validate(
        {"intervalMonths": 1, "anchorDate": at(2027, 1, 31), "nextInvoiceDate": at(2027, 3, 31), **fields}
    )


def test_an_agreement_sent_again_with_the_plans_next_date_keeps_the_anchor():
    kept = agreed(terms(at(2027, 3, 31), autoSend=True), month_ends_from_january(), 2)

    assert (kept.anchorDate, kept.anchorOccurrence, kept.autoSend) == (at(2027, 1, 31), 0, True)
    plan_kept = Plan.of(kept, 2)
    assert plan_kept is not None
    assert plan_kept.date_of(4) == at(2027, 4, 30)


def test_an_ended_series_given_a_later_end_goes_on_from_its_own_plan():
    ended = month_ends_from_january(nextInvoiceDate=None, endDate=at(2027, 2, 28))

    extended = agreed(terms(at(2027, 3, 31), endDate=at(2027, 12, 31)), ended, 2)

    assert (extended.anchorDate, extended.anchorOccurrence, extended.nextInvoiceDate) == (
        at(2027, 1, 31),
        0,
        at(2027, 3, 31),
    )


def test_a_new_date_or_interval_counts_from_there_after_the_invoices_issued():
    moved = agreed(terms(at(2027, 4, 15), intervalMonths=3), month_ends_from_january(), 2)

    assert (moved.anchorDate, moved.anchorOccurrence) == (at(2027, 4, 15), 2)
    moved_plan = Plan.of(moved, 2)
    assert moved_plan is not None
    assert moved_plan.next() == Occurrence(3, at(2027, 4, 15))
    assert moved_plan.date_of(4) == at(2027, 7, 15)


def test_an_agreement_given_again_after_its_removal_counts_on_from_the_invoices_issued():
    again = agreed(terms(at(2027, 1, 31)), None, 5)

    assert (again.anchorDate, again.anchorOccurrence) == (at(2027, 1, 31), 5)
    plan = Plan.of(again, 5)
    assert plan is not None
    assert plan.next() == Occurrence(6, at(2027, 1, 31))


def test_a_new_agreement_is_anchored_on_its_next_date():
    fresh = agreed(terms(at(2027, 1, 31)), None, 0)

    assert (fresh.anchorDate, fresh.anchorOccurrence) == (at(2027, 1, 31), 0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"intervalDays": 0, "intervalMonths": 0, "nextInvoiceDate": "2027-01-31T00:00:00Z"}, "above 0"),
        ({"intervalMonths": 1}, "Field required"),
        (
            {
                "intervalMonths": 1,
                "nextInvoiceDate": "2027-01-31T00:00:00Z",
                "endDate": "2027-01-31T00:00:00Z",
            },
            "endDate must be after nextInvoiceDate",
        ),
    ],
)
def test_an_agreement_without_a_series_is_refused(fields, message):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        RecurringAgreementInput.model_validate(fields)
