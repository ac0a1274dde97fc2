"""The one-time Scheduler schedules of scheduled invoices, against moto: one per invoice, moved in
place, removed once, and AWS errors as domain errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from invoicing.adapters.send_schedules import EventBridgeSendSchedules, SendTarget, schedule_name
from invoicing.errors import DependencyUnavailable

AT = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def target(deployment) -> SendTarget:
    return SendTarget(
        group_name=deployment.ref("SendScheduleGroup"),
        function_arn=deployment.arn("ScheduledSendFunction"),
        role_arn=deployment.arn("SendSchedulerRole"),
        dead_letter_queue_arn=deployment.arn("SendScheduleDeadLetterQueue"),
    )


def schedules(group: str) -> list[str]:
    return [
        schedule["Name"]
        for schedule in boto3.client("scheduler").list_schedules(GroupName=group)["Schedules"]
    ]


def test_one_schedule_per_invoice_is_created_then_moved_in_place(target):
    adapter = EventBridgeSendSchedules(target)

    adapter.put("acme", "inv-1", AT)
    adapter.put("acme", "inv-1", AT.replace(hour=17))

    assert schedules(target.group_name) == [schedule_name("acme", "inv-1")]
    detail = boto3.client("scheduler").get_schedule(
        Name=schedule_name("acme", "inv-1"), GroupName=target.group_name
    )
    assert detail["ScheduleExpression"] == "at(2027-01-15T17:00:00)"
    assert detail["ScheduleExpressionTimezone"] == "UTC"
    assert detail["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert json.loads(detail["Target"]["Input"])["sendAt"] == "2027-01-15T17:00:00+00:00"


def test_names_are_deterministic_valid_and_tell_tenants_apart():
    name = schedule_name("acme", "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11")

    assert name == schedule_name("acme", "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11")
    assert name != schedule_name("globex", "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11")
    assert len(name) <= 64
    assert name.replace("-", "").isalnum()


def test_deleting_a_schedule_twice_is_harmless(target):
    adapter = EventBridgeSendSchedules(target)
    adapter.put("acme", "inv-1", AT)

    adapter.delete("acme", "inv-1")
    adapter.delete("acme", "inv-1")

    assert schedules(target.group_name) == []


def test_a_scheduler_error_is_a_domain_error(target):
    client = boto3.client("scheduler")
    stubber = Stubber(client)
    stubber.add_client_error(
        "update_schedule", service_error_code="ThrottlingException", http_status_code=429
    )
    adapter = EventBridgeSendSchedules(target, client=lambda: client)  # type: ignore[arg-type]

    with stubber, pytest.raises(DependencyUnavailable):
        adapter.put("acme", "inv-1", AT)
