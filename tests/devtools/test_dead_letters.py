"""The redrive of a dead-letter queue (moto in-process): back to its queue with the message
attributes, or into its function, at most `limit`, leaving what fails again visible."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devtools.dead_letters import DeadLetterQueue, redrive
from devtools.template import REGION


class FakeStack:
    """Queues in moto by logical id; a function that fails on the events it is told to."""

    def __init__(self, failing: set[str]) -> None:
        self._sqs = boto3.client("sqs", region_name=REGION)
        self._urls = {name: self._sqs.create_queue(QueueName=name)["QueueUrl"] for name in ("Work", "Dlq")}
        self.failing = failing
        self.invoked: list[Any] = []

    def queue_url(self, logical_id: str) -> str:
        return self._urls[logical_id]

    def sqs(self) -> Any:
        return self._sqs

    def invoke(self, function: str, event: Any) -> str | None:
        self.invoked.append(event)
        return "it failed again" if event.get("id") in self.failing else None

    def bodies(self, logical_id: str) -> list[str]:
        messages = self._sqs.receive_message(QueueUrl=self._urls[logical_id], MaxNumberOfMessages=10)
        return sorted(message["Body"] for message in messages.get("Messages", []))


@pytest.fixture
def stack() -> Iterator[FakeStack]:
    with mock_aws():
        yield FakeStack(failing={"bad"})


def put(stack: FakeStack, body: str, **attributes: str) -> None:
    stack.sqs().send_message(
        QueueUrl=stack.queue_url("Dlq"),
        MessageBody=body,
        MessageAttributes={
            name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()
        },
    )


def test_messages_go_back_to_their_queue_with_their_attributes(stack):
    put(stack, "one", kind="INVOICE")
    put(stack, "two")

    result = redrive(DeadLetterQueue("Dlq", source_queue="Work"), stack, limit=100)

    moved = stack.sqs().receive_message(
        QueueUrl=stack.queue_url("Work"), MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    assert (result.moved, result.failed) == (2, 0)
    assert {message["Body"]: message.get("MessageAttributes") for message in moved} == {
        "one": {"kind": {"DataType": "String", "StringValue": "INVOICE"}},
        "two": None,
    }
    assert stack.bodies("Dlq") == []


def test_a_redrive_takes_at_most_its_limit(stack):
    for number in range(3):
        put(stack, f"message {number}")

    result = redrive(DeadLetterQueue("Dlq", source_queue="Work"), stack, limit=2)

    assert result.moved == 2
    assert len(stack.bodies("Dlq")) == 1, "the third is still there, and visible"


def test_a_function_runs_each_event_and_what_fails_again_stays_visible(stack):
    put(stack, json.dumps({"id": "good"}))
    put(stack, json.dumps({"id": "bad"}))
    put(stack, "not json")

    result = redrive(DeadLetterQueue("Dlq", function="Job"), stack, limit=100)

    assert (result.moved, result.failed) == (1, 2)
    assert sorted(event["id"] for event in stack.invoked) == ["bad", "good"]
    assert stack.bodies("Dlq") == ["not json", '{"id": "bad"}']
    assert any("not an event of Job" in error for error in result.errors)


def test_an_on_failure_record_is_unwrapped_to_the_event_it_carries(stack):
    put(
        stack,
        json.dumps({"requestContext": {"condition": "RetriesExhausted"}, "requestPayload": {"id": "good"}}),
    )

    result = redrive(DeadLetterQueue("Dlq", function="Job", wrapped=True), stack, limit=100)

    assert result.moved == 1
    assert stack.invoked == [{"id": "good"}]
