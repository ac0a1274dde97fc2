"""When a job entry is stale: its invoice plans nothing, or a later time than the entry says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from invoicing.scheduling.stale_entries import is_stale

ENTRY = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


def test_an_entry_is_stale_when_its_invoice_plans_nothing_or_later():
    assert is_stale(None, ENTRY)
    assert is_stale(ENTRY + timedelta(seconds=1), ENTRY)


def test_an_entry_its_invoice_plans_at_its_time_or_earlier_is_not_stale():
    assert not is_stale(ENTRY, ENTRY)
    assert not is_stale(ENTRY + timedelta(microseconds=999_999), ENTRY), "entries keep whole seconds"
    assert not is_stale(ENTRY - timedelta(days=1), ENTRY)


def test_the_plan_is_compared_as_the_entry_key_writes_it():
    written_from_another_offset = datetime(2027, 1, 15, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    assert not is_stale(written_from_another_offset, ENTRY)
    assert not is_stale(datetime(2027, 1, 15, 9, 0), ENTRY)
