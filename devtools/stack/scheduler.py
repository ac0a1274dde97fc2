"""Fire schedules: the template's schedule events, and one-time EventBridge Scheduler schedules.

One-time schedules are created at run time by the functions (`scheduler.create_schedule` against
moto with `at(...)`), so they are polled from moto; each due ENABLED schedule fires once, with
retries, and is deleted afterwards when its ActionAfterCompletion is DELETE.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from devtools.stack.aws import aws_client
from devtools.stack.console import say_from
from devtools.stack.runtime import Invocation
from devtools.stack.schedules import iso_z, parse_at, parse_recurrence, schedule_payload, substitute_context
from devtools.template import LocalDeployment

Invoke = Callable[[str, Any], Invocation]
Clock = Callable[[], datetime]
POLL_SECONDS = 1.0
MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 1.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _report(source: str, what: str, invocation: Invocation) -> None:
    if invocation.ok:
        say_from(source, f"{what}: ok")
    else:
        assert invocation.error is not None
        say_from(source, f"{what}: {invocation.error['errorType']}: {invocation.error['errorMessage']}")


class TemplateSchedules:
    """Fires the template's rate/cron schedule events on time, each firing in its own thread."""

    def __init__(self, deployment: LocalDeployment, invoke: Invoke, clock: Clock = _utc_now) -> None:
        self._deployment = deployment
        self._invoke = invoke
        self._clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="schedules", daemon=True)

    def start(self) -> None:
        if self._deployment.schedules():
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        now = self._clock()
        pending = []
        for schedule in self._deployment.schedules():
            recurrence = parse_recurrence(schedule.expression, anchor=now)
            pending.append((schedule, recurrence, recurrence.next_after(now)))
        while not self._stop.is_set():
            due = [moment for _, _, moment in pending if moment is not None]
            if not due:
                return
            wait = (min(due) - self._clock()).total_seconds()
            if wait > 0:
                self._stop.wait(min(wait, 60.0))
                continue
            now = self._clock()
            for index, (schedule, recurrence, moment) in enumerate(pending):
                if moment is not None and moment <= now:
                    payload = schedule_payload(self._deployment, schedule, moment)
                    arguments = (schedule.function, schedule.name, payload)
                    threading.Thread(target=self._fire, args=arguments, daemon=True).start()
                    pending[index] = (schedule, recurrence, recurrence.next_after(moment))

    def _fire(self, function: str, name: str, payload: Any) -> None:
        _report("schedule", f"{function} {name}", self._invoke(function, payload))


@dataclass(frozen=True)
class OneTimeSchedule:
    arn: str
    name: str
    group: str
    at: datetime
    target_arn: str
    input: str | None
    delete_after: bool
    key: tuple[str, str, str]  # a schedule moved to another time fires again, as in AWS


def _function_arn(arn: str) -> str:
    """A function ARN without a version or alias qualifier."""
    parts = arn.split(":")
    return ":".join(parts[:7]) if len(parts) > 7 and parts[5] == "function" else arn


class OneTimeSchedules:
    """Polls moto's EventBridge Scheduler for due `at(...)` schedules and fires each exactly once."""

    def __init__(
        self,
        endpoint_url: str,
        functions_by_arn: dict[str, str],
        invoke: Invoke,
        clock: Clock = _utc_now,
        poll_seconds: float = POLL_SECONDS,
        backoff_seconds: float = BACKOFF_SECONDS,
    ) -> None:
        self._client = aws_client("scheduler", endpoint_url)
        self._functions_by_arn = functions_by_arn
        self._invoke = invoke
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._backoff_seconds = backoff_seconds
        self._details: dict[tuple[str, str], OneTimeSchedule | None] = {}
        self._fired: set[tuple[str, str, str]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._firing: list[threading.Thread] = []

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop polling; firings in flight end with the runtime (their threads are daemons)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def drain(self) -> None:
        """Wait for the firings started so far."""
        for thread in self._firing:
            thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            try:
                self.poll()
            except Exception as error:  # keep polling whatever moto answers
                say_from("scheduler", f"polling failed: {error}")

    def _describe(self, summary: dict[str, Any]) -> OneTimeSchedule | None:
        """The schedule's details once per version; None for schedules that are not one-time."""
        key = (summary["Arn"], str(summary.get("LastModificationDate")))
        if key not in self._details:
            detail = self._client.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
            moment = parse_at(detail["ScheduleExpression"], detail.get("ScheduleExpressionTimezone"))
            self._details[key] = (
                None
                if moment is None
                else OneTimeSchedule(
                    arn=detail["Arn"],
                    name=detail["Name"],
                    group=detail["GroupName"],
                    at=moment,
                    target_arn=detail["Target"]["Arn"],
                    input=detail["Target"].get("Input"),
                    delete_after=detail.get("ActionAfterCompletion") == "DELETE",
                    key=(detail["Arn"], str(detail.get("CreationDate")), iso_z(moment)),
                )
            )
        return self._details[key]

    def poll(self) -> None:
        """Fire every due one-time schedule not fired yet."""
        now = self._clock()
        for summary in self._summaries():
            # moto forgets the State on update_schedule without one; AWS then keeps it ENABLED.
            if summary.get("State", "ENABLED") != "ENABLED":
                continue
            schedule = self._describe(summary)
            if schedule is None or schedule.key in self._fired or schedule.at > now:
                continue
            self._fired.add(schedule.key)
            thread = threading.Thread(target=self._fire, args=(schedule,), name=schedule.name, daemon=True)
            self._firing = [running for running in self._firing if running.is_alive()] + [thread]
            thread.start()

    def _summaries(self) -> list[dict[str, Any]]:
        summaries: list[dict[str, Any]] = []
        request: dict[str, Any] = {}
        while True:
            page = self._client.list_schedules(**request)
            summaries.extend(page.get("Schedules", []))
            if not page.get("NextToken"):
                return summaries
            request["NextToken"] = page["NextToken"]

    def _fire(self, schedule: OneTimeSchedule) -> None:
        function = self._functions_by_arn.get(_function_arn(schedule.target_arn))
        what = f"{schedule.group}/{schedule.name} at {iso_z(schedule.at)}"
        if function is None:
            say_from("scheduler", f"{what}: target {schedule.target_arn} is not a function of this stack")
        else:
            execution_id = str(uuid.uuid4())
            for attempt in range(1, MAX_ATTEMPTS + 1):
                text = substitute_context(
                    schedule.input or "{}", schedule.arn, schedule.at, execution_id, attempt
                )
                try:
                    payload: Any = json.loads(text)
                except json.JSONDecodeError:
                    payload = text
                invocation = self._invoke(function, payload)
                _report("scheduler", f"{what} -> {function} (attempt {attempt})", invocation)
                if invocation.ok or attempt == MAX_ATTEMPTS:
                    break
                if self._stop.wait(self._backoff_seconds * 2 ** (attempt - 1)):
                    break
        if schedule.delete_after:
            try:
                self._client.delete_schedule(Name=schedule.name, GroupName=schedule.group)
            except ClientError as error:
                say_from("scheduler", f"{what}: not deleted: {error}")
