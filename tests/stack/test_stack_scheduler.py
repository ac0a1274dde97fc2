"""Schedules fire on time: the template's rate/cron events and one-time Scheduler schedules in moto."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devtools.stack.aws import aws_client
from devtools.stack.moto_server import MotoServer
from devtools.stack.runtime import Invocation
from devtools.stack.scheduler import MAX_ATTEMPTS, OneTimeSchedules, TemplateSchedules
from devtools.template import local_deployment

FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:invoicing-local-jobs"
ROLE = "arn:aws:iam::123456789012:role/scheduler"
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


class Calls:
    """A fake runtime: records invocations and answers with the given errors first."""

    def __init__(self, failures: int = 0) -> None:
        self.events: list[tuple[str, Any]] = []
        self.failures = failures
        self.lock = threading.Lock()

    def __call__(self, function: str, event: Any) -> Invocation:
        with self.lock:
            self.events.append((function, event))
            failing = len(self.events) <= self.failures
        error = {"errorType": "Boom", "errorMessage": "failed"} if failing else None
        return Invocation(request_id="r", result=None if failing else "ok", error=error)


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    server = MotoServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def scheduler_client(moto: MotoServer) -> Iterator[Any]:
    client = aws_client("scheduler", moto.endpoint)
    yield client
    for schedule in client.list_schedules()["Schedules"]:
        client.delete_schedule(Name=schedule["Name"], GroupName=schedule["GroupName"])


def create(client: Any, name: str, at: str, **options: Any) -> None:
    target = {"Arn": options.pop("target", FUNCTION_ARN), "RoleArn": ROLE}
    if "input" in options:
        target["Input"] = options.pop("input")
    client.create_schedule(
        Name=name,
        ScheduleExpression=f"at({at})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=target,
        **options,
    )


def poller(moto: MotoServer, calls: Calls, now: list[datetime]) -> OneTimeSchedules:
    return OneTimeSchedules(
        moto.endpoint, {FUNCTION_ARN: "JobsFunction"}, calls, clock=lambda: now[0], backoff_seconds=0
    )


def poll(schedules: OneTimeSchedules) -> None:
    schedules.poll()
    schedules.drain()


def test_a_due_schedule_fires_once_with_its_context_and_is_deleted(
    moto: MotoServer, scheduler_client: Any
) -> None:
    payload = {
        "invoiceId": "inv-1",
        "at": "<aws.scheduler.scheduled-time>",
        "attempt": "<aws.scheduler.attempt-number>",
        "arn": "<aws.scheduler.schedule-arn>",
        "execution": "<aws.scheduler.execution-id>",
    }
    create(
        scheduler_client,
        "remind-inv-1",
        "2026-11-22T10:00:00",
        input=json.dumps(payload),
        ActionAfterCompletion="DELETE",
    )
    calls = Calls()
    schedules = poller(moto, calls, [NOW])

    poll(schedules)
    poll(schedules)

    assert len(calls.events) == 1
    function, event = calls.events[0]
    assert function == "JobsFunction"
    assert event["invoiceId"] == "inv-1"
    assert event["at"] == "2026-11-22T10:00:00Z"
    assert event["attempt"] == "1"
    assert event["arn"] == "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/remind-inv-1"
    assert event["execution"]
    assert scheduler_client.list_schedules()["Schedules"] == []


def test_a_future_schedule_waits_for_its_time_in_its_timezone(
    moto: MotoServer, scheduler_client: Any
) -> None:
    create(scheduler_client, "later", "2026-11-22T11:30:00", ScheduleExpressionTimezone="Europe/Paris")
    calls = Calls()
    now = [NOW]
    schedules = poller(moto, calls, now)

    poll(schedules)
    now[0] = NOW + timedelta(minutes=30)
    poll(schedules)
    poll(schedules)

    assert len(calls.events) == 1
    assert calls.events[0][1] == {}
    assert [schedule["Name"] for schedule in scheduler_client.list_schedules()["Schedules"]] == ["later"]


def test_a_failing_invocation_is_retried_then_given_up(moto: MotoServer, scheduler_client: Any) -> None:
    create(scheduler_client, "flaky", "2026-11-22T09:00:00", input='{"n": "<aws.scheduler.attempt-number>"}')
    calls = Calls(failures=MAX_ATTEMPTS)
    schedules = poller(moto, calls, [NOW])

    poll(schedules)
    poll(schedules)

    assert [event["n"] for _, event in calls.events] == [
        str(attempt) for attempt in range(1, MAX_ATTEMPTS + 1)
    ]


def test_a_retry_that_succeeds_stops_retrying(moto: MotoServer, scheduler_client: Any) -> None:
    create(
        scheduler_client, "once-flaky", "2026-11-22T09:00:00", input='{"n": "<aws.scheduler.attempt-number>"}'
    )
    calls = Calls(failures=1)

    poll(poller(moto, calls, [NOW]))

    assert [event["n"] for _, event in calls.events] == ["1", "2"]


def test_disabled_recurring_and_foreign_schedules_do_not_fire(
    moto: MotoServer, scheduler_client: Any
) -> None:
    create(scheduler_client, "off", "2026-11-22T09:00:00", State="DISABLED")
    create(scheduler_client, "queue", "2026-11-22T09:00:00", target="arn:aws:sqs:eu-west-1:123456789012:q")
    scheduler_client.create_schedule(
        Name="hourly",
        ScheduleExpression="rate(1 hour)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": FUNCTION_ARN, "RoleArn": ROLE},
    )
    calls = Calls()

    poll(poller(moto, calls, [NOW]))

    assert calls.events == []


def test_template_schedules_fire_with_the_scheduled_time() -> None:
    deployment = local_deployment()
    deployment.template["Resources"]["MeFunction"]["Properties"]["Events"] = {
        "EveryMinute": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 minute)"}},
        "Nightly": {
            "Type": "ScheduleV2",
            "Properties": {"ScheduleExpression": "cron(0 2 * * ? *)", "Input": '{"n": 1}'},
        },
    }
    times = iter([NOW, NOW + timedelta(seconds=150)])
    fired = threading.Event()
    calls: list[Any] = []

    def invoke(function: str, event: Any) -> Invocation:
        calls.append(event)
        if len(calls) == 2:
            fired.set()
        return Invocation(request_id="r", result="ok")

    schedules = TemplateSchedules(deployment, invoke, clock=lambda: next(times, NOW + timedelta(seconds=150)))
    schedules.start()
    assert fired.wait(5)
    schedules.stop()

    assert sorted(event["time"] for event in calls) == ["2026-11-22T10:01:00Z", "2026-11-22T10:02:00Z"]
    assert calls[0]["resources"] == [
        "arn:aws:events:eu-west-1:123456789012:rule/invoicing-local-mefunctioneveryminute"
    ]


def test_a_schedule_moved_to_a_new_time_fires_again(moto: MotoServer, scheduler_client: Any) -> None:
    create(scheduler_client, "moved", "2026-11-22T09:00:00", input='{"v": 1}')
    calls = Calls()
    now = [NOW]
    schedules = poller(moto, calls, now)
    poll(schedules)

    def update(at: str, value: int) -> None:
        scheduler_client.update_schedule(
            Name="moved",
            ScheduleExpression=f"at({at})",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": FUNCTION_ARN, "RoleArn": ROLE, "Input": json.dumps({"v": value})},
        )

    update("2026-11-22T09:00:00", 2)
    poll(schedules)
    update("2026-11-22T10:30:00", 3)
    now[0] = NOW + timedelta(hours=1)
    poll(schedules)

    assert [event["v"] for _, event in calls.events] == [1, 3]
