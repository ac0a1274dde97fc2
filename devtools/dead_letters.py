"""The template's dead-letter queues, where each one's messages go back to, and their redrive.

A dead-letter queue is found from what fills it: a queue's `RedrivePolicy` (its messages move back
to that queue), a function's `DeadLetterQueue` or `EventInvokeConfig` on-failure destination, a
ScheduleV2 event's `DeadLetterConfig`, or a role EventBridge Scheduler assumes to invoke a function
and to send to a queue (the one-time schedules the scheduling function creates). The messages of
the last four are the function's events: a redrive invokes the function with each again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from devtools.template import LocalDeployment

Resources = dict[str, dict[str, Any]]
# a message receipt is hidden this long while it is handled; a failed one is shown again after the run
HANDLING_SECONDS = 900
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"


@dataclass(frozen=True)
class DeadLetterQueue:
    """A dead-letter queue (logical id) and what its messages go back to: a queue or a function."""

    queue: str
    source_queue: str | None = None
    function: str | None = None
    # on-failure destination records wrap the event: {"requestContext": ..., "requestPayload": event}
    wrapped: bool = False

    @property
    def target(self) -> str:
        return self.source_queue or self.function or ""


def _arn_of(value: Any) -> str | None:
    """The logical id of `!GetAtt <resource>.Arn`."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return str(logical_id) if attribute == "Arn" else None
    return None


def _aliased_function(resources: Resources, value: Any) -> str | None:
    """The function of `!Ref <Function>Alias<alias>`, the alias SAM generates for AutoPublishAlias."""
    if not (isinstance(value, dict) and set(value) == {"Ref"}) or value["Ref"] in resources:
        return None
    for logical_id, resource in resources.items():
        if resource.get("Type") == "AWS::Serverless::Function" and value["Ref"].startswith(
            f"{logical_id}Alias"
        ):
            return logical_id
    return None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _scheduler_targets(resources: Resources) -> Iterator[tuple[str, str]]:
    """(queue, function) of each role Scheduler assumes that may send to a queue and invoke a function."""
    for role in resources.values():
        if role.get("Type") != "AWS::IAM::Role":
            continue
        properties = role.get("Properties", {})
        trust = json.dumps(properties.get("AssumeRolePolicyDocument", {}))
        if SCHEDULER_PRINCIPAL not in trust:
            continue
        queues: set[str] = set()
        functions: set[str] = set()
        for policy in properties.get("Policies", []):
            for statement in policy.get("PolicyDocument", {}).get("Statement", []):
                for action in _listed(statement.get("Action", [])):
                    for resource in _listed(statement.get("Resource", [])):
                        logical_id = _arn_of(resource) or _aliased_function(resources, resource)
                        if logical_id is None:
                            continue
                        if action == "sqs:SendMessage":
                            queues.add(logical_id)
                        elif action == "lambda:InvokeFunction":
                            functions.add(logical_id)
        if len(functions) == 1:
            (function,) = functions
            for queue in queues:
                yield queue, function


def _found(resources: Resources) -> Iterator[DeadLetterQueue]:
    for logical_id, resource in resources.items():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::SQS::Queue":
            dead_letters = _arn_of(properties.get("RedrivePolicy", {}).get("deadLetterTargetArn"))
            if dead_letters is not None:
                yield DeadLetterQueue(dead_letters, source_queue=logical_id)
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        dlq = _arn_of(properties.get("DeadLetterQueue", {}).get("TargetArn"))
        if dlq is not None:
            yield DeadLetterQueue(dlq, function=logical_id)
        on_failure = properties.get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure", {})
        destination = _arn_of(on_failure.get("Destination")) if on_failure.get("Type") == "SQS" else None
        if destination is not None:
            yield DeadLetterQueue(destination, function=logical_id, wrapped=True)
        for event in properties.get("Events", {}).values():
            schedule_dlq = _arn_of(event.get("Properties", {}).get("DeadLetterConfig", {}).get("Arn"))
            if event.get("Type") == "ScheduleV2" and schedule_dlq is not None:
                yield DeadLetterQueue(schedule_dlq, function=logical_id)
    for queue, function in _scheduler_targets(resources):
        yield DeadLetterQueue(queue, function=function)


def dead_letter_queues(resources: Resources) -> dict[str, DeadLetterQueue]:
    """Every dead-letter queue of the template by logical id; ValueError when one has two targets."""
    queues: dict[str, DeadLetterQueue] = {}
    for found in _found(resources):
        known = queues.setdefault(found.queue, found)
        if known != found:
            raise ValueError(f"{found.queue} takes messages for {known.target} and {found.target}")
    return queues


class StackResources(Protocol):
    """A stack as the redrive reaches it, the local one or a deployed one."""

    def queue_url(self, logical_id: str) -> str: ...

    def invoke(self, function: str, event: Any) -> str | None:
        """Run the function with `event`; None when it succeeded, else what failed."""
        ...

    def sqs(self) -> Any: ...


@dataclass
class Redriven:
    moved: int = 0
    failed: int = 0
    errors: tuple[str, ...] = ()


def _attributes(message: dict[str, Any]) -> dict[str, Any]:
    """The message attributes SendMessage takes back (String and Binary ones, and their kinds)."""
    return {
        name: {
            key: value
            for key, value in attribute.items()
            if key in ("DataType", "StringValue", "BinaryValue")
        }
        for name, attribute in message.get("MessageAttributes", {}).items()
    }


def _event(dead_letters: DeadLetterQueue, body: str) -> Any:
    event = json.loads(body)
    return event["requestPayload"] if dead_letters.wrapped else event


def redrive(dead_letters: DeadLetterQueue, stack: StackResources, limit: int) -> Redriven:
    """Move up to `limit` messages back to the source queue, or run the function with each.

    A message leaves the dead-letter queue only once it is back on its queue or its function
    succeeded; one that fails again stays, visible again when the run ends.
    """
    sqs = stack.sqs()
    queue_url = stack.queue_url(dead_letters.queue)
    send: Callable[[dict[str, Any]], str | None]
    if dead_letters.source_queue is not None:
        source_url = stack.queue_url(dead_letters.source_queue)

        def send(message: dict[str, Any]) -> str | None:
            attributes = _attributes(message)
            extra = {"MessageAttributes": attributes} if attributes else {}
            sqs.send_message(QueueUrl=source_url, MessageBody=message["Body"], **extra)
            return None

    else:
        function = str(dead_letters.function)

        def send(message: dict[str, Any]) -> str | None:
            try:
                event = _event(dead_letters, message["Body"])
            except (ValueError, KeyError, TypeError) as error:
                return f"not an event of {function}: {error}"
            return stack.invoke(function, event)

    report = Redriven()
    failed: list[str] = []
    errors: list[str] = []
    batch = 10 if dead_letters.source_queue is not None else 1
    while report.moved + report.failed < limit:
        received = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(batch, limit - report.moved - report.failed),
            VisibilityTimeout=HANDLING_SECONDS,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            break
        for message in received:
            error = send(message)
            if error is None:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                report.moved += 1
            else:
                failed.append(message["ReceiptHandle"])
                errors.append(f"{message['MessageId']}: {error}")
                report.failed += 1
    for receipt in failed:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt, VisibilityTimeout=0)
    report.errors = tuple(errors)
    return report


class LocalStack:
    """The running local stack (`make run`): queues in its moto, functions run as `make job` runs them."""

    def __init__(self, deployment: LocalDeployment, moto_endpoint: str) -> None:
        self._deployment = deployment
        self._endpoint = moto_endpoint

    def queue_url(self, logical_id: str) -> str:
        return str(self.sqs().get_queue_url(QueueName=self._deployment.physical_name(logical_id))["QueueUrl"])

    def sqs(self) -> Any:
        from devtools.stack.aws import aws_client

        return aws_client("sqs", self._endpoint)

    def invoke(self, function: str, event: Any) -> str | None:
        from devtools.stack.runtime import Worker, function_spec, invoke_worker

        spec = function_spec(self._deployment, function, self._endpoint)
        worker = Worker(spec)
        try:
            invocation = invoke_worker(worker, event, spec.timeout)
        finally:
            worker.stop()
        return None if invocation.ok else json.dumps(invocation.error)


class DeployedStack:
    """A deployed stack: its resources' physical ids from CloudFormation; functions invoked through
    their alias `live`, synchronously, so a message leaves its queue only once its event is handled."""

    def __init__(self, stack_name: str, region: str) -> None:
        self._stack_name = stack_name
        self._region = region

    @cached_property
    def _physical(self) -> dict[str, str]:
        import boto3

        pages = boto3.client("cloudformation", region_name=self._region).get_paginator("list_stack_resources")
        return {
            summary["LogicalResourceId"]: summary["PhysicalResourceId"]
            for page in pages.paginate(StackName=self._stack_name)
            for summary in page["StackResourceSummaries"]
        }

    def queue_url(self, logical_id: str) -> str:
        return self._physical[logical_id]  # a queue's physical id is its URL

    def sqs(self) -> Any:
        return self._sqs

    @cached_property
    def _sqs(self) -> Any:
        import boto3

        return boto3.client("sqs", region_name=self._region)

    def invoke(self, function: str, event: Any) -> str | None:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "lambda",
            region_name=self._region,
            config=Config(read_timeout=HANDLING_SECONDS, retries={"max_attempts": 0}),
        )
        answer = client.invoke(
            FunctionName=self._physical[function], Qualifier="live", Payload=json.dumps(event).encode()
        )
        if "FunctionError" in answer:
            return str(answer["Payload"].read().decode("utf-8", "replace"))
        return None
