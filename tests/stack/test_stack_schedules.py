"""Next fire times of rate/cron/at expressions and the events a schedule delivers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devtools.stack.schedules import (
    InvalidExpressionError,
    parse_at,
    parse_recurrence,
    schedule_payload,
    scheduled_event,
)
from devtools.template import Schedule, local_deployment

START = datetime(2026, 11, 22, 10, 17, 30, tzinfo=UTC)  # a Sunday


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 12 * * ? *)", utc(2026, 11, 22, 12, 0)),
        ("cron(15 10 * * ? *)", utc(2026, 11, 23, 10, 15)),
        ("cron(0/15 * * * ? *)", utc(2026, 11, 22, 10, 30)),
        ("cron(*/5 * * * ? *)", utc(2026, 11, 22, 10, 20)),
        ("cron(0 8 1 * ? *)", utc(2026, 12, 1, 8, 0)),
        ("cron(0 18 ? * MON-FRI *)", utc(2026, 11, 23, 18, 0)),
        ("cron(0 9 ? * 1 *)", utc(2026, 11, 29, 9, 0)),
        ("cron(0 9 ? * SUN *)", utc(2026, 11, 29, 9, 0)),
        ("cron(0 0 L * ? *)", utc(2026, 11, 30, 0, 0)),
        ("cron(0 0 ? * 6L *)", utc(2026, 11, 27, 0, 0)),
        ("cron(0 0 ? * 2#1 *)", utc(2026, 12, 7, 0, 0)),
        ("cron(0 0 1W * ? *)", utc(2026, 12, 1, 0, 0)),
        ("cron(0 0 LW * ? *)", utc(2026, 11, 30, 0, 0)),
        ("cron(0 0 1 JAN ? *)", utc(2027, 1, 1, 0, 0)),
        ("cron(30 6 29 2 ? *)", utc(2028, 2, 29, 6, 30)),
        ("cron(0 0 1 1 ? 2030)", utc(2030, 1, 1, 0, 0)),
        ("cron(0 0 1 1 ? 2020)", None),
    ],
)
def test_cron_next_fire(expression: str, expected: datetime | None) -> None:
    assert parse_recurrence(expression, START).next_after(START) == expected


def test_cron_fires_strictly_after_the_given_moment() -> None:
    recurrence = parse_recurrence("cron(0 12 * * ? *)", START)

    assert recurrence.next_after(utc(2026, 11, 22, 12, 0)) == utc(2026, 11, 23, 12, 0)


def test_saturday_nearest_weekday_moves_to_friday() -> None:
    recurrence = parse_recurrence("cron(0 0 15W * ? *)", START)  # 2027-05-15 is a Saturday

    assert recurrence.next_after(utc(2027, 5, 1)) == utc(2027, 5, 14, 0, 0)


@pytest.mark.parametrize(
    ("expression", "period"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(2 hours)", timedelta(hours=2)),
        ("rate(1 day)", timedelta(days=1)),
    ],
)
def test_rate_counts_from_the_start(expression: str, period: timedelta) -> None:
    recurrence = parse_recurrence(expression, START)

    first = recurrence.next_after(START)
    assert first == START + period
    assert recurrence.next_after(first) == START + 2 * period
    assert recurrence.next_after(START + period / 2) == START + period


@pytest.mark.parametrize(
    "expression",
    [
        "rate(0 minutes)",
        "rate(5 weeks)",
        "cron(0 12 * * *)",
        "cron(0 12 * * * *)",
        "cron(0 12 ? * ? *)",
        "cron(61 12 * * ? *)",
        "cron(0 12 * FOO ? *)",
        "every day",
    ],
)
def test_invalid_expressions_are_refused(expression: str) -> None:
    with pytest.raises(InvalidExpressionError):
        parse_recurrence(expression, START)


def test_at_is_read_in_its_timezone() -> None:
    assert parse_at("at(2026-11-22T10:00:00)") == utc(2026, 11, 22, 10, 0)
    assert parse_at("at(2026-11-22T10:00:00)", "Europe/Paris") == utc(2026, 11, 22, 9, 0)
    assert parse_at("rate(1 day)") is None


def test_the_scheduled_event_is_eventbridges() -> None:
    event = scheduled_event("arn:aws:events:eu-west-1:123456789012:rule/r", utc(2026, 11, 22, 10, 0))

    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["time"] == "2026-11-22T10:00:00Z"
    assert event["resources"] == ["arn:aws:events:eu-west-1:123456789012:rule/r"]
    assert event["detail"] == {}
    assert event["account"] == "123456789012"
    assert event["region"] == "eu-west-1"
    assert event["version"] == "0"


def test_a_schedule_with_input_delivers_the_input() -> None:
    deployment = local_deployment()
    with_input = Schedule(
        function="MeFunction", name="Nightly", expression="rate(1 day)", input='{"job": "x"}'
    )
    without = Schedule(function="MeFunction", name="Nightly", expression="rate(1 day)", input=None)

    assert schedule_payload(deployment, with_input, START) == {"job": "x"}
    event = schedule_payload(deployment, without, START)
    assert event["resources"] == [
        "arn:aws:events:eu-west-1:123456789012:rule/invoicing-local-mefunctionnightly"
    ]
