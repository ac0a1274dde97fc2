"""Job entries that outlived their invoice, or that their invoice no longer plans, against moto: each
job (the scheduled-send sweep, the overdue job, the recurring job) removes them once, through its
handler, and leaves every fresh entry as it is; an entry written again meanwhile is never removed;
and a delete that stops after its transaction leaves no entry behind."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest

from invoicing.adapters.invoice_jobs import DynamoInvoiceJobs, job_partition
from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.scheduling.sending import SEND_JOB
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
GONE_ID = "00000000-0000-4000-8000-00000000dead"
#: the schedule sample's `sendAt`
SEND_AT = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def functions(deployment, load_function):
    ensure_tenant(
        DynamoTenantRepository(deployment.ref("InvoicingTable")),
        NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"),
        now=datetime(2026, 11, 1, tzinfo=UTC),
    )
    return {
        name: load_function(logical_id)
        for name, logical_id in {
            "invoices": "InvoicesFunction",
            "lifecycle": "LifecycleFunction",
            "scheduling": "SchedulingFunction",
            "scheduled_send": "ScheduledSendFunction",
            "overdue": "OverdueFunction",
            "recurring": "RecurringFunction",
        }.items()
    }


@pytest.fixture
def table(deployment):
    return boto3.resource("dynamodb").Table(deployment.ref("InvoicingTable"))


def respond(functions, sample: str, invoice_id: str = SAMPLE_ID, **fields: object) -> dict:
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    if fields:
        event["body"] = json.dumps({**json.loads(event["body"]), **fields})
    return invoke(functions[sample.split("/")[0]], event)


def call(functions, sample: str, invoice_id: str = SAMPLE_ID, **fields: object) -> dict:
    response = respond(functions, sample, invoice_id, **fields)
    assert response["statusCode"] < 300, response["body"]
    return json.loads(response["body"])


def write_entry(table, kind: str, invoice_id: str, due: datetime) -> None:
    """An entry as the invoice store writes one, put directly (as a delete from before left it)."""
    table.put_item(
        Item={
            "pk": f"TENANT#acme#INVOICE#{invoice_id}",
            "sk": f"JOB#{kind}",
            "jobKey": job_partition(kind, invoice_id),
            "jobSortKey": f"{due:%Y-%m-%dT%H:%M:%S}Z#acme#{invoice_id}",
        }
    )


def entry(table, kind: str, invoice_id: str) -> str | None:
    """The entry's `jobSortKey`, None when there is none."""
    item = table.get_item(Key={"pk": f"TENANT#acme#INVOICE#{invoice_id}", "sk": f"JOB#{kind}"}).get("Item")
    return None if item is None else str(item["jobSortKey"])


def job(functions, name: str, sample: str, at: datetime) -> dict:
    return invoke(functions[name], sample_event(sample) | {"time": at.isoformat()})


def test_the_sweep_removes_stale_send_entries_once_and_keeps_the_fresh_one(functions, table):
    unscheduled = call(functions, "invoices/create-invoice.json")["id"]
    planned = call(functions, "invoices/create-invoice.json")["id"]
    call(functions, "scheduling/schedule.json", planned)
    fresh = entry(table, SEND_JOB, planned)
    write_entry(table, SEND_JOB, GONE_ID, datetime(2027, 1, 1, tzinfo=UTC))
    write_entry(table, SEND_JOB, unscheduled, datetime(2027, 1, 2, tzinfo=UTC))
    before_the_send = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)

    first = job(functions, "scheduled_send", "scheduled_send/sweep.json", before_the_send)
    again = job(functions, "scheduled_send", "scheduled_send/sweep.json", before_the_send)

    assert (first["cleared"], first["gone"], first["sent"], first["failed"]) == (2, 0, 0, 0)
    assert (entry(table, SEND_JOB, GONE_ID), entry(table, SEND_JOB, unscheduled)) == (None, None)
    assert (again["cleared"], again["gone"], again["skipped"]) == (0, 0, 0)
    assert fresh is not None
    assert entry(table, SEND_JOB, planned) == fresh


def test_the_overdue_job_removes_stale_entries_once_and_keeps_the_fresh_one(functions, table):
    draft = call(functions, "invoices/create-invoice.json")["id"]
    owed = call(functions, "invoices/create-invoice.json")["id"]
    call(functions, "lifecycle/mark-as-sent.json", owed)
    fresh = entry(table, "OVERDUE", owed)
    write_entry(table, "OVERDUE", GONE_ID, datetime(2026, 12, 1, tzinfo=UTC))
    write_entry(table, "OVERDUE", draft, datetime(2026, 12, 2, tzinfo=UTC))
    before_its_due_date = datetime(2026, 12, 5, tzinfo=UTC)

    first = job(functions, "overdue", "overdue/scheduled.json", before_its_due_date)
    again = job(functions, "overdue", "overdue/scheduled.json", before_its_due_date)

    assert (first["cleared"], first["skipped"], first["moved"], first["failed"]) == (2, 0, 0, 0)
    assert (entry(table, "OVERDUE", GONE_ID), entry(table, "OVERDUE", draft)) == (None, None)
    assert (again["cleared"], again["skipped"]) == (0, 0)
    assert fresh is not None
    assert entry(table, "OVERDUE", owed) == fresh


def test_the_recurring_job_removes_stale_entries_once_and_keeps_the_fresh_one(functions, table):
    plain = call(functions, "invoices/create-invoice.json")["id"]
    agreement = {"intervalMonths": 1, "nextInvoiceDate": "2027-01-31T09:00:00Z"}
    series = call(functions, "invoices/create-invoice.json", recurringAgreement=agreement)["id"]
    fresh = entry(table, "RECURRING", series)
    write_entry(table, "RECURRING", GONE_ID, datetime(2027, 1, 1, tzinfo=UTC))
    write_entry(table, "RECURRING", plain, datetime(2027, 1, 2, tzinfo=UTC))
    before_its_first_date = datetime(2027, 1, 15, tzinfo=UTC)

    first = job(functions, "recurring", "recurring/scheduled.json", before_its_first_date)
    again = job(functions, "recurring", "recurring/scheduled.json", before_its_first_date)

    assert (first["cleared"], first["skipped"], first["issued"], first["failed"]) == (2, 0, 0, 0)
    assert (entry(table, "RECURRING", GONE_ID), entry(table, "RECURRING", plain)) == (None, None)
    assert (again["cleared"], again["skipped"]) == (0, 0)
    assert fresh is not None
    assert entry(table, "RECURRING", series) == fresh


def test_an_entry_written_again_after_the_job_read_it_is_not_removed(functions, deployment, table):
    draft_id = call(functions, "invoices/create-invoice.json")["id"]
    write_entry(table, SEND_JOB, draft_id, datetime(2027, 1, 2, tzinfo=UTC))
    store = DynamoInvoiceRepository(deployment.ref("InvoicingTable"))
    jobs = DynamoInvoiceJobs(deployment.ref("InvoicingTable"))
    [stale] = [due for due in jobs.due(SEND_JOB, SEND_AT) if due.invoice_id == draft_id]
    read = store.get("acme", draft_id)

    call(functions, "scheduling/schedule.json", draft_id)  # writes the invoice's entry again
    written_again = entry(table, SEND_JOB, draft_id)

    assert jobs.forget(SEND_JOB, stale, read) is False
    assert written_again is not None
    assert entry(table, SEND_JOB, draft_id) == written_again
    assert jobs.forget(SEND_JOB, stale, store.get("acme", draft_id)) is False


def test_a_delete_that_stops_after_its_transaction_leaves_no_job_entry(functions, table, dynamodb_faults):
    invoice_id = call(functions, "invoices/create-invoice.json")["id"]
    call(functions, "scheduling/schedule.json", invoice_id)
    assert entry(table, SEND_JOB, invoice_id) is not None

    dynamodb_faults.fail("BatchWriteItem", "ProvisionedThroughputExceededException", times=1000)
    response = respond(functions, "invoices/delete-invoice.json", invoice_id)
    dynamodb_faults.clear()

    assert dynamodb_faults.injected["BatchWriteItem"] > 0, response
    assert (
        table.get_item(Key={"pk": f"TENANT#acme#INVOICE#{invoice_id}", "sk": "INVOICE"}).get("Item") is None
    )
    assert entry(table, SEND_JOB, invoice_id) is None
