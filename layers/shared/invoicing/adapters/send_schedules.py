"""One-time EventBridge Scheduler schedules of scheduled invoices.

Each scheduled invoice has one schedule, named from the invoice (`send-<hash of tenant and id>`, so
a retried request or a move finds the same one), in the stack's schedule group: `at(...)` in UTC,
no flexible window, deleted by Scheduler once it fired (ActionAfterCompletion DELETE), retried by
Scheduler and then sent to the dead-letter queue. Its target is the scheduled-send function, with
the invoice, the send time and Scheduler's own scheduled time as the event. AWS errors become
DependencyUnavailable.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from invoicing.adapters.clients import LazyClient
from invoicing.errors import DependencyUnavailable

#: Scheduler retries a failed invocation for up to a day, then the event goes to the DLQ
RETRY_POLICY = {"MaximumEventAgeInSeconds": 86_400, "MaximumRetryAttempts": 20}


def schedule_name(tenant_id: str, invoice_id: str) -> str:
    """At most 64 characters of [0-9a-zA-Z-_.], whatever the ids: a digest of both."""
    return "send-" + hashlib.sha256(f"{tenant_id}\x1f{invoice_id}".encode()).hexdigest()[:40]


def at_expression(moment: datetime) -> str:
    return f"at({moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S})"


@dataclass(frozen=True)
class SendTarget:
    """Where a fired schedule goes, and how Scheduler may invoke it."""

    group_name: str
    function_arn: str
    role_arn: str
    dead_letter_queue_arn: str


class EventBridgeSendSchedules:
    def __init__(self, target: SendTarget, client: LazyClient | None = None) -> None:
        self._target = target
        self._client = client or LazyClient("scheduler")

    def put(self, tenant_id: str, invoice_id: str, at: datetime) -> None:
        """Create the invoice's schedule, or move it to `at` when it exists."""
        request = self._request(tenant_id, invoice_id, at)
        if self._call("update_schedule", request, tolerated="ResourceNotFoundException"):
            return
        if not self._call("create_schedule", request, tolerated="ConflictException"):
            self._call("update_schedule", request)

    def delete(self, tenant_id: str, invoice_id: str) -> None:
        request = {"Name": schedule_name(tenant_id, invoice_id), "GroupName": self._target.group_name}
        self._call("delete_schedule", request, tolerated="ResourceNotFoundException")

    def _call(self, operation: str, request: dict[str, Any], tolerated: str | None = None) -> bool:
        """Call Scheduler: True when done, False when it answered the `tolerated` error code."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            getattr(self._client(), operation)(**request)
        except ClientError as error:
            if tolerated is not None and error.response.get("Error", {}).get("Code") == tolerated:
                return False
            raise DependencyUnavailable(f"Scheduler refused {operation}: {error}") from error
        except BotoCoreError as error:
            raise DependencyUnavailable(f"Scheduler did not answer {operation}: {error}") from error
        return True

    def _request(self, tenant_id: str, invoice_id: str, at: datetime) -> dict[str, Any]:
        target = self._target
        event = {
            "time": "<aws.scheduler.scheduled-time>",
            "tenantId": tenant_id,
            "invoiceId": invoice_id,
            "sendAt": at.astimezone(UTC).isoformat(),
        }
        return {
            "Name": schedule_name(tenant_id, invoice_id),
            "GroupName": target.group_name,
            "ScheduleExpression": at_expression(at),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "State": "ENABLED",
            "Target": {
                "Arn": target.function_arn,
                "RoleArn": target.role_arn,
                "Input": json.dumps(event, separators=(",", ":")),
                "RetryPolicy": RETRY_POLICY,
                "DeadLetterConfig": {"Arn": target.dead_letter_queue_arn},
            },
        }
