"""Scheduled sending: the scheduling routes and the scheduled-send function, called with their events/
samples against moto. A send fires once, at its time, for the invoice as it is scheduled then."""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from invoicing.adapters.send_schedules import schedule_name
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.mail.message import OutboxMessage
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import imported_at_cold_start, invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
SEND_AT = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
BOUNDARY = "----schedule"


@pytest.fixture
def functions(deployment, load_function):
    ensure_tenant(
        DynamoTenantRepository(deployment.ref("InvoicingTable")),
        NewTenant("acme", "Acme Müller GmbH", "EUR", "billing@acme.test"),
        now=datetime.now(UTC),
    )
    return {
        "invoices": load_function("InvoicesFunction"),
        "scheduling": load_function("SchedulingFunction"),
        "scheduled_send": load_function("ScheduledSendFunction"),
        "lifecycle": load_function("LifecycleFunction"),
    }


def respond(functions, sample: str, invoice_id: str = SAMPLE_ID, **changes) -> tuple[int, object]:
    group = sample.split("/")[0]
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    event.update(changes)
    response = invoke(functions[group], event)
    return response["statusCode"], json.loads(response["body"])


def call(functions, sample: str, invoice_id: str = SAMPLE_ID, **changes) -> dict:
    status, body = respond(functions, sample, invoice_id, **changes)
    assert status < 300, body
    assert isinstance(body, dict)
    return body


def draft(functions, **fields) -> dict:
    body = json.loads(sample_event("invoices/create-invoice.json")["body"]) | fields
    return call(functions, "invoices/create-invoice.json", body=json.dumps(body))


def fire(functions, invoice_id: str, send_at: datetime = SEND_AT, at: datetime | None = None) -> dict:
    event = sample_event("scheduled_send/one-time-schedule.json") | {
        "invoiceId": invoice_id,
        "sendAt": send_at.isoformat(),
        "time": (at or send_at).isoformat(),
    }
    return invoke(functions["scheduled_send"], event)


def sweep(functions, at: datetime) -> dict:
    return invoke(functions["scheduled_send"], {"time": at.isoformat()})


def queued(deployment) -> list[OutboxMessage]:
    received = boto3.client("sqs").receive_message(
        QueueUrl=deployment.queue_url("DeliveryQueue"), MaxNumberOfMessages=10
    )
    return [OutboxMessage.from_json(message["Body"]) for message in received.get("Messages", [])]


def one_time_schedule(deployment, invoice_id: str) -> dict | None:
    client = boto3.client("scheduler")
    try:
        return client.get_schedule(
            Name=schedule_name("acme", invoice_id), GroupName=deployment.ref("SendScheduleGroup")
        )
    except client.exceptions.ResourceNotFoundException:
        return None


def find(functions, invoice_id: str) -> dict:
    event = json.loads(json.dumps(sample_event("invoices/find-invoice.json")).replace(SAMPLE_ID, invoice_id))
    return json.loads(invoke(functions["invoices"], event)["body"])


def multipart(*parts: tuple[str, str | None, bytes]) -> str:
    lines = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        lines += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return base64.b64encode(lines + f"--{BOUNDARY}--\r\n".encode()).decode()


def test_a_draft_is_scheduled_without_a_number_and_gets_its_one_time_schedule(functions, deployment):
    invoice = draft(functions)

    scheduled = call(functions, "scheduling/schedule.json", invoice["id"])

    assert scheduled["status"] == "SCHEDULED"
    assert scheduled["scheduledSendAt"] == "2027-01-15T09:00:00Z"
    assert scheduled["invoiceNumber"] is None
    schedule = one_time_schedule(deployment, invoice["id"])
    assert schedule is not None
    assert schedule["ScheduleExpression"] == "at(2027-01-15T09:00:00)"
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["Target"]["Arn"] == deployment.ref("ScheduledSendFunctionAliaslive")
    assert schedule["Target"]["Arn"].endswith(
        ":function:" + deployment.physical_name("ScheduledSendFunction") + ":live"
    )
    assert schedule["Target"]["DeadLetterConfig"]["Arn"] == deployment.arn("SendScheduleDeadLetterQueue")
    assert schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert json.loads(schedule["Target"]["Input"]) == {
        "time": "<aws.scheduler.scheduled-time>",
        "tenantId": "acme",
        "invoiceId": invoice["id"],
        "sendAt": "2027-01-15T09:00:00+00:00",
    }


def test_a_time_that_is_not_in_the_future_is_422_and_changes_nothing(functions, deployment):
    invoice = draft(functions)

    status, problem = respond(
        functions,
        "scheduling/schedule.json",
        invoice["id"],
        body=json.dumps({"sendAt": "2020-01-01T00:00:00Z"}),
    )

    assert status == 422
    assert "sendAt" in problem["errors"]
    assert find(functions, invoice["id"])["status"] == "DRAFT"
    assert one_time_schedule(deployment, invoice["id"]) is None


def test_without_a_send_time_the_invoice_is_sent_on_its_invoice_date_which_it_follows(functions, deployment):
    invoice = draft(functions, invoiceDate="2027-02-01T08:00:00Z")

    scheduled = call(functions, "scheduling/schedule-on-invoice-date.json", invoice["id"])
    moved = call(
        functions,
        "invoices/update-invoice.json",
        invoice["id"],
        body=json.dumps({"invoiceDate": "2027-03-01T08:00:00Z"}),
    )

    assert scheduled["scheduledSendAt"] == "2027-02-01T08:00:00Z"
    assert scheduled["scheduledSendFollowsInvoiceDate"] is True
    assert moved["status"] == "SCHEDULED"
    assert moved["scheduledSendAt"] == "2027-03-01T08:00:00Z"
    schedule = one_time_schedule(deployment, invoice["id"])
    assert schedule is not None
    assert schedule["ScheduleExpression"] == "at(2027-03-01T08:00:00)"


def test_a_scheduled_invoice_sent_on_its_date_cannot_be_moved_into_the_past(functions):
    invoice = draft(functions, invoiceDate="2027-02-01T08:00:00Z")
    call(functions, "scheduling/schedule-on-invoice-date.json", invoice["id"])

    status, problem = respond(
        functions,
        "invoices/update-invoice.json",
        invoice["id"],
        body=json.dumps({"invoiceDate": "2020-03-01"}),
    )

    assert status == 422, problem
    assert find(functions, invoice["id"])["scheduledSendAt"] == "2027-02-01T08:00:00Z"


def test_only_a_draft_can_be_scheduled(functions):
    invoice = draft(functions)
    call(functions, "scheduling/schedule.json", invoice["id"])

    status, _ = respond(functions, "scheduling/schedule.json", invoice["id"])

    assert status == 409


def test_the_send_publishes_once_at_its_time_and_queues_one_mail(functions, deployment):
    invoice = draft(functions)
    call(functions, "scheduling/schedule.json", invoice["id"])

    early = fire(functions, invoice["id"], at=SEND_AT - timedelta(minutes=1))
    first = fire(functions, invoice["id"], at=SEND_AT + timedelta(seconds=20))
    again = fire(functions, invoice["id"], at=SEND_AT + timedelta(minutes=1))

    assert [early["outcome"], first["outcome"], again["outcome"]] == ["skipped", "sent", "skipped"]
    sent = find(functions, invoice["id"])
    assert (sent["status"], sent["invoiceNumber"], sent["scheduledSendAt"]) == (
        "SENT",
        "INV-2026-00001",
        None,
    )
    assert sent["seller"] is not None
    [message] = queued(deployment)
    assert (message.invoice_id, message.recipient) == (invoice["id"], "ap@globex.test")


def test_an_unscheduled_invoice_is_a_draft_again_and_its_schedule_does_nothing(functions, deployment):
    invoice = draft(functions)
    call(functions, "scheduling/schedule.json", invoice["id"])

    unscheduled = call(functions, "scheduling/unschedule.json", invoice["id"])
    fired = fire(functions, invoice["id"])
    status, _ = respond(functions, "scheduling/unschedule.json", invoice["id"])

    assert (unscheduled["status"], unscheduled["scheduledSendAt"]) == ("DRAFT", None)
    assert one_time_schedule(deployment, invoice["id"]) is None
    assert fired["outcome"] == "skipped"
    assert find(functions, invoice["id"])["status"] == "DRAFT"
    assert queued(deployment) == []
    assert status == 409


def race(functions, invoice_id: str) -> tuple[bool, bool]:
    """The send and an unschedule at once: (sent, unscheduled)."""
    results: dict[str, object] = {}
    racers = [
        threading.Thread(target=lambda: results.update(fire=fire(functions, invoice_id))),
        threading.Thread(
            target=lambda: results.update(
                unschedule=respond(functions, "scheduling/unschedule.json", invoice_id)
            )
        ),
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    return results["fire"]["outcome"] == "sent", results["unschedule"][0] == 200  # type: ignore[index]


def test_an_unschedule_racing_the_send_has_exactly_one_winner(functions, deployment, dynamodb_faults):
    statuses = []
    for _ in range(4):
        invoice = draft(functions)
        call(functions, "scheduling/schedule.json", invoice["id"])

        sent, unscheduled = race(functions, invoice["id"])

        assert sent != unscheduled
        statuses.append(find(functions, invoice["id"])["status"])
        assert statuses[-1] == ("SENT" if sent else "DRAFT")
    assert len(queued(deployment)) == statuses.count("SENT")


def test_an_invoice_sent_by_hand_before_its_time_has_nothing_planned_and_is_not_sent_again(
    functions, deployment
):
    invoice = draft(functions)
    call(functions, "scheduling/schedule.json", invoice["id"])

    sent = call(functions, "lifecycle/mark-as-sent.json", invoice["id"])

    assert (sent["status"], sent["scheduledSendAt"]) == ("SENT", None)
    assert fire(functions, invoice["id"])["outcome"] == "skipped"
    swept = sweep(functions, SEND_AT + timedelta(minutes=5))
    assert (swept["sent"], swept["skipped"]) == (0, 0)
    assert queued(deployment) == []


def test_a_deleted_invoice_never_fires(functions, deployment):
    invoice = draft(functions)
    call(functions, "scheduling/schedule.json", invoice["id"])
    deleted = sample_event("invoices/delete-invoice.json")
    assert (
        invoke(functions["invoices"], json.loads(json.dumps(deleted).replace(SAMPLE_ID, invoice["id"])))[
            "statusCode"
        ]
        < 300
    )

    assert fire(functions, invoice["id"])["outcome"] == "gone"
    assert sweep(functions, SEND_AT + timedelta(minutes=5))["sent"] == 0
    assert queued(deployment) == []


def test_the_sweep_sends_what_is_due_when_its_schedule_was_lost(functions, deployment):
    invoice = draft(functions)
    call(functions, "scheduling/schedule.json", invoice["id"])
    boto3.client("scheduler").delete_schedule(
        Name=schedule_name("acme", invoice["id"]), GroupName=deployment.ref("SendScheduleGroup")
    )

    before = sweep(functions, SEND_AT - timedelta(minutes=5))
    due = sweep(functions, SEND_AT + timedelta(minutes=5))
    after = sweep(functions, SEND_AT + timedelta(minutes=10))

    assert (before["sent"], due["sent"], after["sent"]) == (0, 1, 0)
    assert due["failed"] == 0
    assert find(functions, invoice["id"])["status"] == "SENT"
    assert len(queued(deployment)) == 1


def test_a_scheduled_invoice_whose_rows_were_removed_returns_to_draft(functions, deployment):
    invoice = draft(functions)
    call(functions, "scheduling/schedule.json", invoice["id"])
    call(functions, "invoices/update-invoice.json", invoice["id"], body=json.dumps({"rows": []}))

    assert fire(functions, invoice["id"])["outcome"] == "returnedToDraft"
    returned = find(functions, invoice["id"])
    assert (returned["status"], returned["scheduledSendAt"]) == ("DRAFT", None)
    assert "no rows" in returned["events"][-1]["description"]
    assert queued(deployment) == []


def test_a_pdf_of_the_clients_own_is_kept_and_mailed_at_the_send(functions, deployment):
    invoice = draft(functions)
    body = multipart(("pdf", "mine.pdf", b"%PDF-1.4\n%%EOF\n"), ("sendAt", None, b"2027-01-15T09:00:00Z"))

    scheduled = call(
        functions,
        "scheduling/schedule.json",
        invoice["id"],
        body=body,
        isBase64Encoded=True,
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    fire(functions, invoice["id"])

    assert scheduled["scheduledPdf"]["fileSize"] == len(b"%PDF-1.4\n%%EOF\n")
    [message] = queued(deployment)
    assert message.client_pdf_blob_id == scheduled["scheduledPdf"]["blobId"]


def test_a_pdf_part_that_is_not_a_pdf_is_415(functions):
    invoice = draft(functions)
    body = multipart(("pdf", "x.pdf", b"not a pdf"))

    status, _ = respond(
        functions,
        "scheduling/schedule.json",
        invoice["id"],
        body=body,
        isBase64Encoded=True,
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )

    assert status == 415
    assert find(functions, invoice["id"])["status"] == "DRAFT"


def test_with_recurring_drafts_lists_the_templates_only(functions):
    template = draft(
        functions, recurringAgreement={"intervalMonths": 1, "nextInvoiceDate": "2027-01-31T00:00:00Z"}
    )
    draft(functions)

    status, listed = respond(functions, "scheduling/with-recurring-drafts.json")

    assert status == 200
    assert [invoice["id"] for invoice in listed] == [template["id"]]  # type: ignore[union-attr]


def test_the_cold_starts_build_no_adapter_and_load_no_mail_stack():
    lazy = [
        "invoicing.adapters.send_schedules",
        "invoicing.adapters.invoice_store",
        "invoicing.mail.requests",
    ]

    assert imported_at_cold_start("SchedulingFunction", lazy) == []
    assert imported_at_cold_start("ScheduledSendFunction", lazy) == []
