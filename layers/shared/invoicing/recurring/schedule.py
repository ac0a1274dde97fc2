"""When a template's invoices fall: the k-th invoice after the anchor is the anchor plus k intervals,
clamped to the month's end, never the previous date plus an interval (Jan 31 -> Feb 28 -> Mar 31 ->
Apr 30, where adding a month each time would ratchet to Mar 28).

A plan counts from its anchor: the date a client gave as `nextInvoiceDate`, and how many invoices the
template had issued by then. An invoice's number in the series (from 1) is part of its identity, so
that count (`Invoice.recurringInvoicesIssued`) only ever grows, whatever a client changes.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from invoicing.invoices.model import RecurringAgreement, RecurringAgreementInput


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` moved by `months` calendar months: the same day, or the month's last day."""
    years, month_index = divmod(moment.month - 1 + months, 12)
    year = moment.year + years
    day = min(moment.day, calendar.monthrange(year, month_index + 1)[1])
    return moment.replace(year=year, month=month_index + 1, day=day)


def shifted(anchor: datetime, months: int, days: int, k: int) -> datetime:
    """The k-th date after `anchor`: k times the months (clamped to the month's end), then k times
    the days. OverflowError or ValueError past the calendar's end (year 9999)."""
    return add_months(anchor, k * months) + timedelta(days=k * days)


@dataclass(frozen=True)
class Occurrence:
    """An invoice of a series: its number in the series (from 1) and its date."""

    number: int
    date: datetime


@dataclass(frozen=True)
class Plan:
    anchor: datetime
    #: invoices the series had issued when the anchor was set: the anchor is invoice number this + 1
    anchor_occurrence: int
    issued: int
    months: int
    days: int
    end: datetime | None

    @classmethod
    def of(cls, agreement: RecurringAgreement, issued: int) -> Plan | None:
        """The plan of an agreement that makes a series, of a template that issued `issued`
        invoices; None without a date or an interval."""
        anchor = agreement.anchorDate or agreement.nextInvoiceDate
        if anchor is None or (agreement.intervalDays == 0 and agreement.intervalMonths == 0):
            return None
        return cls(
            anchor=anchor,
            anchor_occurrence=min(agreement.anchorOccurrence, issued),
            issued=issued,
            months=agreement.intervalMonths,
            days=agreement.intervalDays,
            end=agreement.endDate,
        )

    def counts_like(self, other: Plan) -> bool:
        """Both plans date every invoice alike (their end and progress aside)."""
        return (self.anchor, self.anchor_occurrence, self.months, self.days) == (
            other.anchor,
            other.anchor_occurrence,
            other.months,
            other.days,
        )

    def date_of(self, number: int, *, bounded: bool = True) -> datetime | None:
        """The date of the series' invoice `number`; None past the end date (when `bounded`) or
        past the calendar."""
        try:
            date = shifted(self.anchor, self.months, self.days, number - 1 - self.anchor_occurrence)
        except (OverflowError, ValueError):
            return None
        return None if bounded and self.end is not None and date > self.end else date

    def next(self) -> Occurrence | None:
        """The next invoice to issue, or None when the series is over."""
        date = self.date_of(self.issued + 1)
        return None if date is None else Occurrence(self.issued + 1, date)

    def after(self, occurrence: Occurrence) -> Plan:
        """The plan once `occurrence` is issued."""
        return replace(self, issued=occurrence.number)

    def due(self, now: datetime) -> Iterator[Occurrence]:
        """Every invoice not yet issued that falls at or before `now`, oldest first. After an
        outage that is each one missed, dated its own date: the catch-up rule."""
        number = self.issued + 1
        while (date := self.date_of(number)) is not None and date <= now:
            yield Occurrence(number, date)
            number += 1


def agreed(
    terms: RecurringAgreementInput, previous: RecurringAgreement | None, issued: int
) -> RecurringAgreement:
    """The agreement once a client sent `terms` to a template that issued `issued` invoices. The
    plan keeps its anchor when the intervals stay and the date sent is the plan's own next date (so a
    month-end series stays on month ends, also when an ended series gets a later end date);
    otherwise it counts from the date sent, after the invoices issued so far (also when an
    agreement removed before is given again: the count names each invoice once)."""
    plan = Plan.of(previous, issued) if previous is not None else None
    if (
        previous is not None
        and plan is not None
        and (terms.intervalMonths, terms.intervalDays) == (plan.months, plan.days)
        and plan.date_of(issued + 1, bounded=False) == terms.nextInvoiceDate
    ):
        return previous.model_copy(update=terms.model_dump())
    return RecurringAgreement.model_validate(
        {**terms.model_dump(), "anchorDate": terms.nextInvoiceDate, "anchorOccurrence": issued}
    )
