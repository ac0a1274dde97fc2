"""EventBridge schedule expressions (`rate(...)`, 6-field `cron(...)`, Scheduler's `at(...)`) and events.

All times are timezone-aware; rate and cron expressions are evaluated in UTC as EventBridge rules are.
"""

from __future__ import annotations

import calendar
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from devtools.template import ACCOUNT_ID, REGION, LocalDeployment, Schedule

MONTHS = {
    name: index
    for index, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
DAYS = {name: index for index, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
LAST_YEAR = 2199


class InvalidExpressionError(ValueError):
    """Not a schedule expression EventBridge would accept."""


class Recurrence(Protocol):
    def next_after(self, moment: datetime) -> datetime | None:
        """The first fire time strictly after `moment`, None when there is none."""


@dataclass(frozen=True)
class Rate:
    period: timedelta
    anchor: datetime

    def next_after(self, moment: datetime) -> datetime:
        periods = (moment - self.anchor) // self.period + 1
        return self.anchor + max(periods, 1) * self.period


def _weekday(day: date) -> int:
    """Day of week as cron counts it: 1 = Sunday ... 7 = Saturday."""
    return (day.isoweekday() % 7) + 1


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    def number(text: str) -> int:
        value = names.get(text.upper()[:3]) if names and not text.isdigit() else None
        try:
            result = value if value is not None else int(text)
        except ValueError:
            raise InvalidExpressionError(f"{text!r} is not a value of this field") from None
        if not low <= result <= high:
            raise InvalidExpressionError(f"{result} is outside {low}-{high}")
        return result

    values: set[int] = set()
    for part in field.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body in ("*", "?"):
            start, end = low, high
        elif "-" in body:
            first, last = body.split("-", 1)
            start, end = number(first), number(last)
        else:
            start = number(body)
            end = high if step_text else start
        if start > end or step < 1:
            raise InvalidExpressionError(f"invalid range {part!r}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _nearest_weekday(year: int, month: int, day: int) -> int:
    """The `W` rule: the weekday nearest to `day`, never leaving the month."""
    last = calendar.monthrange(year, month)[1]
    day = min(day, last)
    weekday = date(year, month, day).weekday()  # Monday = 0
    if weekday == 5:
        return day - 1 if day > 1 else day + 2
    if weekday == 6:
        return day + 1 if day < last else day - 2
    return day


def _day_of_month_matcher(field: str) -> Any:
    if field == "?":
        return None
    if field == "L":
        return lambda day: day.day == calendar.monthrange(day.year, day.month)[1]
    if field == "LW":
        return lambda day: day.day == _nearest_weekday(day.year, day.month, 31)
    if field.endswith("W"):
        target = int(field[:-1])
        return lambda day: day.day == _nearest_weekday(day.year, day.month, target)
    values = _values(field, 1, 31)
    return lambda day: day.day in values


def _day_of_week_matcher(field: str) -> Any:
    if field == "?":
        return None
    if field == "L":
        return lambda day: _weekday(day) == 7
    if field.endswith("L"):
        weekday = _values(field[:-1], 1, 7, DAYS)
        return lambda day: (
            _weekday(day) in weekday and day.day + 7 > calendar.monthrange(day.year, day.month)[1]
        )
    if "#" in field:
        weekday_text, nth = field.split("#", 1)
        weekday = _values(weekday_text, 1, 7, DAYS)
        return lambda day: _weekday(day) in weekday and (day.day - 1) // 7 + 1 == int(nth)
    values = _values(field, 1, 7, DAYS)
    return lambda day: _weekday(day) in values


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    day_of_month: Any
    day_of_week: Any

    @classmethod
    def parse(cls, text: str) -> Cron:
        fields = text.split()
        if len(fields) != 6:
            raise InvalidExpressionError(f"cron needs 6 fields, got {len(fields)}: {text!r}")
        minutes, hours, day_of_month, month, day_of_week, year = fields
        if (day_of_month == "?") == (day_of_week == "?"):
            raise InvalidExpressionError("exactly one of day-of-month and day-of-week must be '?'")
        return cls(
            minutes=_values(minutes, 0, 59),
            hours=_values(hours, 0, 23),
            months=_values(month, 1, 12, MONTHS),
            years=_values(year, 1970, LAST_YEAR),
            day_of_month=_day_of_month_matcher(day_of_month),
            day_of_week=_day_of_week_matcher(day_of_week),
        )

    def _day_matches(self, day: date) -> bool:
        matcher = self.day_of_month or self.day_of_week
        return bool(matcher(day))

    def next_after(self, moment: datetime) -> datetime | None:
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        while day.year <= LAST_YEAR:
            if day.year not in self.years:
                day = date(day.year + 1, 1, 1)
                continue
            if day.month not in self.months:
                day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
                continue
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        return None


_RATE = re.compile(r"^(\d+)\s+(minute|minutes|hour|hours|day|days)$")
_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


def parse_recurrence(expression: str, anchor: datetime) -> Recurrence:
    """A `rate(...)` (counted from `anchor`) or `cron(...)` expression."""
    expression = expression.strip()
    if expression.startswith("rate(") and expression.endswith(")"):
        match = _RATE.match(expression[5:-1].strip())
        if match is None or int(match.group(1)) < 1:
            raise InvalidExpressionError(f"invalid rate expression {expression!r}")
        return Rate(int(match.group(1)) * _UNITS[match.group(2).rstrip("s")], anchor)
    if expression.startswith("cron(") and expression.endswith(")"):
        return Cron.parse(expression[5:-1])
    raise InvalidExpressionError(f"not a rate or cron expression: {expression!r}")


def parse_at(expression: str, timezone: str | None = None) -> datetime | None:
    """The moment of a one-time `at(yyyy-mm-ddThh:mm:ss)` Scheduler expression; None for others."""
    expression = expression.strip()
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    local = datetime.fromisoformat(expression[3:-1])
    return local.replace(tzinfo=ZoneInfo(timezone or "UTC")).astimezone(UTC)


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def substitute_context(
    text: str, schedule_arn: str, scheduled_time: datetime, execution_id: str, attempt: int
) -> str:
    """Scheduler's context attributes in a target Input."""
    values = {
        "<aws.scheduler.schedule-arn>": schedule_arn,
        "<aws.scheduler.scheduled-time>": iso_z(scheduled_time),
        "<aws.scheduler.execution-id>": execution_id,
        "<aws.scheduler.attempt-number>": str(attempt),
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def rule_arn(deployment: LocalDeployment, schedule: Schedule) -> str:
    """The EventBridge rule SAM creates for a schedule event."""
    name = deployment.physical_name(f"{schedule.function}{schedule.name}")
    return f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{name}"


def scheduled_event(resource_arn: str, moment: datetime) -> dict[str, Any]:
    """EventBridge's "Scheduled Event" for a rule firing at `moment`."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": iso_z(moment),
        "region": REGION,
        "resources": [resource_arn],
        "detail": {},
    }


def schedule_payload(deployment: LocalDeployment, schedule: Schedule, moment: datetime) -> Any:
    """What the function receives when `schedule` fires at `moment`: its Input (with Scheduler's
    context attributes filled in), else the Scheduled Event."""
    if schedule.input is not None:
        if not isinstance(schedule.input, str):
            return schedule.input
        name = deployment.physical_name(f"{schedule.function}{schedule.name}")
        arn = f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/default/{name}"
        return json.loads(substitute_context(schedule.input, arn, moment, str(uuid.uuid4()), 1))
    return scheduled_event(rule_arn(deployment, schedule), moment)
