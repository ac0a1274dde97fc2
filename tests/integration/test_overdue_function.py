"""The overdue job through its handler against moto: OVERDUE and the figures, the reminder cadence
each step once, one reminder after an outage, none for a paid invoice, the late fee once per step,
and two runs at once sending nothing twice."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import boto3
import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
#: the sample invoice is dated 2026-11-22 with 14 days' terms
DUE = datetime(2026, 12, 6, tzinfo=UTC)


@pytest.fixture
def functions(deployment, load_function):
    ensure_tenant(
        DynamoTenantRepository(deployment.ref("InvoicingTable")),
        NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"),
        now=datetime.now(UTC),
    )
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "figures": load_function("FiguresFunction"),
        "settings": load_function("SettingsFunction"),
        "overdue": load_function("OverdueFunction"),
    }


def call(functions, sample: str, invoice_id: str = SAMPLE_ID, body: object = ...) -> dict:
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    if body is not ...:
        event["body"] = json.dumps(body)
    response = invoke(functions[sample.split("/")[0]], event)
    assert response["statusCode"] < 300, response["body"]
    return json.loads(response["body"])


def sent_invoice(functions) -> str:
    invoice = call(functions, "invoices/create-invoice.json")
    call(functions, "lifecycle/mark-as-sent.json", invoice["id"])
    return str(invoice["id"])


def run(module, at: str) -> dict:
    return invoke(module, {**sample_event("overdue/scheduled.json"), "time": at})


def invoice(functions, invoice_id: str) -> dict:
    return call(functions, "invoices/find-invoice.json", invoice_id)


def reminders_queued(deployment) -> list[OutboxMessage]:
    sqs = boto3.client("sqs")
    messages: list[OutboxMessage] = []
    while True:
        received = sqs.receive_message(QueueUrl=deployment.queue_url("DeliveryQueue"), MaxNumberOfMessages=10)
        batch = received.get("Messages", [])
        if not batch:
            return [message for message in messages if message.kind is MailKind.REMINDER]
        messages += [OutboxMessage.from_json(message["Body"]) for message in batch]


def mail_items(deployment, invoice_id: str) -> list[dict]:
    table = boto3.resource("dynamodb").Table(deployment.ref("InvoicingTable"))
    found = table.query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :mail)",
        ExpressionAttributeValues={":pk": f"TENANT#acme#INVOICE#{invoice_id}", ":mail": "MAIL#"},
    )
    return list(found["Items"])


def test_the_job_moves_an_owed_invoice_to_overdue_and_the_figures_see_it(functions, deployment):
    overdue_id = sent_invoice(functions)
    paid_id = sent_invoice(functions)
    call(functions, "lifecycle/mark-as-paid.json", paid_id)

    before = run(functions["overdue"], "2026-12-06T00:00:00Z")
    after = run(functions["overdue"], "2026-12-06T12:00:00Z")

    assert (before["moved"], after["moved"], after["failed"]) == (0, 1, 0)
    moved = invoice(functions, overdue_id)
    assert moved["status"] == "OVERDUE"
    assert moved["nextReminder"] == {"step": 1, "daysAfterDue": 1, "at": "2026-12-07T00:00:00Z"}
    stats = call(functions, "figures/stats.json")
    assert Decimal(str(stats["totalOverdue"])) == Decimal(str(moved["total"]))
    assert invoice(functions, paid_id)["status"] == "PAID"
    assert reminders_queued(deployment) == []


def test_the_cadence_mails_each_step_once(functions, deployment):
    invoice_id = sent_invoice(functions)
    run(functions["overdue"], "2026-12-06T12:00:00Z")

    first = run(functions["overdue"], "2026-12-07T01:00:00Z")
    again = run(functions["overdue"], "2026-12-07T02:00:00Z")

    assert (first["reminded"], again["reminded"]) == (1, 0)
    [message] = reminders_queued(deployment)
    assert (message.invoice_id, message.recipient) == (invoice_id, "ap@globex.test")
    reminded = invoice(functions, invoice_id)
    assert len(reminded["reminders"]) == 1
    assert reminded["overdueNotifiedAt"] == "2026-12-07T01:00:00Z"
    assert reminded["lastReminder"]["daysAfterDue"] == 1
    assert reminded["nextReminder"] == {"step": 2, "daysAfterDue": 7, "at": "2026-12-13T00:00:00Z"}
    assert run(functions["overdue"], "2026-12-13T00:00:00Z")["reminded"] == 1
    assert len(reminders_queued(deployment)) == 1


def test_after_an_outage_one_reminder_goes_out_the_latest_step(functions, deployment):
    invoice_id = sent_invoice(functions)

    report = run(functions["overdue"], "2027-01-31T00:00:00Z")

    assert (report["moved"], report["reminded"]) == (1, 1)
    [message] = reminders_queued(deployment)
    assert message.invoice_id == invoice_id
    caught_up = invoice(functions, invoice_id)
    assert caught_up["lastReminder"]["daysAfterDue"] == 14
    assert caught_up["nextReminder"] is None
    assert run(functions["overdue"], "2027-06-01T00:00:00Z")["reminded"] == 0
    assert reminders_queued(deployment) == []


def test_a_paid_invoice_gets_no_reminder(functions, deployment):
    invoice_id = sent_invoice(functions)
    run(functions["overdue"], "2026-12-06T12:00:00Z")
    call(functions, "lifecycle/mark-as-paid.json", invoice_id)

    report = run(functions["overdue"], "2026-12-31T00:00:00Z")

    assert report["reminded"] == 0
    assert reminders_queued(deployment) == []
    paid = invoice(functions, invoice_id)
    assert (paid["status"], paid["nextReminder"], paid["reminders"]) == ("PAID", None, [])


def test_the_late_fee_is_added_once_per_step(functions, deployment):
    call(
        functions,
        "settings/patch-settings.json",
        body={"reminders": {"lateFee": {"type": "FIXED", "amount": 5}, "cadenceDays": [1, 7]}},
    )
    invoice_id = sent_invoice(functions)
    total = Decimal(str(invoice(functions, invoice_id)["total"]))

    run(functions["overdue"], "2026-12-07T00:00:00Z")
    run(functions["overdue"], "2026-12-07T00:00:00Z")
    run(functions["overdue"], "2026-12-20T00:00:00Z")

    charged = invoice(functions, invoice_id)
    fees = [(row["id"], row["total"]) for row in charged["rows"] if row["type"] == "FEE"]
    assert fees == [("late-fee-1d", 5), ("late-fee-7d", 5)]
    assert Decimal(str(charged["total"])) == total + 10
    stats = call(functions, "figures/stats.json")
    assert Decimal(str(stats["totalOverdue"])) == total + 10


def test_reminders_off_mail_nothing(functions, deployment):
    settings = call(functions, "settings/patch-settings.json", body={"reminders": {"enabled": False}})
    assert settings["reminders"] == {
        "enabled": False,
        "cadenceDays": [1, 7, 14],
        "lateFee": None,
        "senderName": None,
    }
    sent_invoice(functions)

    report = run(functions["overdue"], "2026-12-31T00:00:00Z")

    assert (report["moved"], report["reminded"]) == (1, 0)
    assert reminders_queued(deployment) == []


def test_two_runs_at_once_send_each_reminder_once(functions, deployment, dynamodb_faults, load_function):
    invoice_ids = [sent_invoice(functions) for _ in range(6)]
    runners = [load_function("OverdueFunction") for _ in range(2)]

    for at in ("2026-12-07T00:00:00Z", "2026-12-13T00:00:00Z"):
        with ThreadPoolExecutor(max_workers=2) as pool:
            reports = list(pool.map(lambda module, at=at: run(module, at), runners))
        assert sum(report["reminded"] for report in reports) == len(invoice_ids)
        assert all(report["failed"] == 0 for report in reports)

    # both runs may queue a step's message: it is one outbox item, which one worker claims and sends
    messages = reminders_queued(deployment)
    assert len({message.message_id for message in messages}) == 2 * len(invoice_ids)
    for invoice_id in invoice_ids:
        assert len(mail_items(deployment, invoice_id)) == 2
        reminded = invoice(functions, invoice_id)
        assert len(reminded["reminders"]) == 2
        assert [event["type"] for event in reminded["events"]].count("STATUS_CHANGED") == 2


def test_a_job_event_without_a_time_changes_nothing(functions):
    sent_invoice(functions)

    with pytest.raises(Exception, match="time"):
        invoke(functions["overdue"], {})


def test_a_run_reads_only_the_invoices_due(functions):
    due = sent_invoice(functions)
    later = sample_event("invoices/create-invoice.json")
    for month in range(1, 6):
        fields = {**json.loads(later["body"]), "invoiceDate": f"2027-0{month}-01T00:00:00Z"}
        draft = call(functions, "invoices/create-invoice.json", body=fields)
        call(functions, "lifecycle/mark-as-sent.json", draft["id"])

    report = run(functions["overdue"], "2026-12-06T12:00:00Z")

    assert (report["moved"], report["skipped"], report["failed"]) == (1, 0, 0)
    assert invoice(functions, due)["status"] == "OVERDUE"
