"""The recurring job with its events/ sample against moto: a month-end series issued once each, also
with two runs at once and after an outage; endDate honoured; drafts without autoSend; the agreement
validated by the API."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import boto3
import pytest

from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.errors import NotFound
from invoicing.invoices.enums import EventType, InvoiceStatus, InvoiceType
from invoicing.invoices.model import Invoice
from invoicing.mail.message import OutboxMessage
from invoicing.recurring.occurrences import occurrence_id
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

MONTH_ENDS = ["2027-01-31", "2027-02-28", "2027-03-31"]


@pytest.fixture
def functions(deployment, load_function):
    ensure_tenant(
        DynamoTenantRepository(deployment.ref("InvoicingTable")),
        NewTenant("acme", "Acme Müller GmbH", "EUR", "billing@acme.test"),
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    return {"invoices": load_function("InvoicesFunction"), "recurring": load_function("RecurringFunction")}


@pytest.fixture
def store(deployment) -> DynamoInvoiceRepository:
    return DynamoInvoiceRepository(deployment.ref("InvoicingTable"))


def create(functions, **fields: object) -> dict:
    request = sample_event("invoices/create-invoice.json")
    request["body"] = json.dumps({**json.loads(request["body"]), **fields})
    return invoke(functions["invoices"], request)


def template(functions, **agreement: object) -> str:
    response = create(
        functions,
        recurringAgreement={"intervalMonths": 1, "nextInvoiceDate": "2027-01-31T09:00:00Z", **agreement},
    )
    assert response["statusCode"] == 201, response["body"]
    return json.loads(response["body"])["id"]


def run(functions, at: str, module=None) -> dict:
    return invoke(module or functions["recurring"], sample_event("recurring/scheduled.json") | {"time": at})


def series(store: DynamoInvoiceRepository, template_id: str) -> list[Invoice]:
    issued = []
    for number in range(1, 13):
        try:
            issued.append(store.get("acme", occurrence_id("acme", template_id, number)))
        except NotFound:
            break
    return issued


def queued(deployment) -> list[OutboxMessage]:
    sqs, url = boto3.client("sqs"), deployment.queue_url("DeliveryQueue")
    messages: list[OutboxMessage] = []
    while received := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        messages += [OutboxMessage.from_json(message["Body"]) for message in received]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in received],
        )
    return messages


def test_after_a_two_month_outage_the_month_end_series_is_issued_once_each_on_its_own_date(functions, store):
    template_id = template(functions)

    answer = run(functions, "2027-03-31T10:00:00Z")

    issued = series(store, template_id)
    assert [f"{invoice.invoiceDate:%Y-%m-%d}" for invoice in issued] == MONTH_ENDS
    assert [f"{invoice.dueDate:%Y-%m-%d}" for invoice in issued] == ["2027-02-14", "2027-03-14", "2027-04-14"]
    assert {(invoice.type, invoice.status, invoice.recurringTemplate.id) for invoice in issued} == {
        (InvoiceType.RECURRING, InvoiceStatus.DRAFT, template_id)
    }
    assert answer == {
        "issued": 3,
        "sent": 0,
        "skipped": 0,
        "refused": 0,
        "postponed": 0,
        "cleared": 0,
        "failed": 0,
        "failures": [],
    }
    stored = store.get("acme", template_id)
    assert (f"{stored.recurringAgreement.nextInvoiceDate:%Y-%m-%d}", stored.recurringInvoicesIssued) == (
        "2027-04-30",
        3,
    )


def test_a_run_before_the_first_date_issues_nothing_and_one_after_it_issues_only_what_is_due(
    functions, store
):
    template_id = template(functions)

    early = run(functions, "2027-01-31T08:59:59Z")
    on_time = run(functions, "2027-01-31T09:00:00Z")

    assert (early["issued"], on_time["issued"]) == (0, 1)
    assert [f"{invoice.invoiceDate:%Y-%m-%d}" for invoice in series(store, template_id)] == MONTH_ENDS[:1]


def test_two_runs_at_once_issue_and_mail_each_occurrence_once(
    functions, store, deployment, load_function, dynamodb_faults
):
    template_id = template(functions, autoSend=True)
    runs = [load_function("RecurringFunction") for _ in range(2)]
    dynamodb_faults.fail("TransactWriteItems", "TransactionConflict", share=0.3, times=10)

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda module: run(functions, "2027-03-31T10:00:00Z", module), runs))
    again = run(functions, "2027-03-31T10:00:00Z")

    issued = series(store, template_id)
    assert [f"{invoice.invoiceDate:%Y-%m-%d}" for invoice in issued] == MONTH_ENDS
    assert sum(answer["issued"] for answer in answers) == 3
    assert [answer["failed"] for answer in answers] == [0, 0]
    assert {invoice.status for invoice in issued} == {InvoiceStatus.SENT}
    assert len({invoice.invoiceNumber for invoice in issued}) == 3
    for invoice in issued:
        assert [event.type for event in invoice.events].count(EventType.MAIL_QUEUED) == 1
        assert invoice.sentMails == ["ap@globex.test"]
    assert {message.invoice_id for message in queued(deployment)} == {invoice.id for invoice in issued}
    assert (again["issued"], again["sent"]) == (0, 0)


def test_no_occurrence_after_the_end_date_and_the_template_says_the_series_is_over(functions, store):
    template_id = template(functions, endDate="2027-02-28T09:00:00Z")

    run(functions, "2027-12-31T00:00:00Z")

    assert [f"{invoice.invoiceDate:%Y-%m-%d}" for invoice in series(store, template_id)] == MONTH_ENDS[:2]
    assert store.get("acme", template_id).recurringAgreement.nextInvoiceDate is None
    assert run(functions, "2028-06-30T00:00:00Z")["skipped"] == 0, "an ended series has no due entry"


def test_without_auto_send_occurrences_are_drafts_and_nothing_is_mailed(functions, store, deployment):
    template_id = template(functions)

    run(functions, "2027-02-28T10:00:00Z")

    issued = series(store, template_id)
    assert [(invoice.status, invoice.invoiceNumber) for invoice in issued] == [
        (InvoiceStatus.DRAFT, None)
    ] * 2
    assert queued(deployment) == []


def test_the_template_shows_its_plan_and_an_occurrence_its_template(functions, store):
    template_id = template(functions)
    run(functions, "2027-01-31T10:00:00Z")
    find = sample_event("invoices/find-invoice.json")

    shown = json.loads(
        invoke(
            functions["invoices"],
            json.loads(json.dumps(find).replace(find["pathParameters"]["invoiceId"], template_id)),
        )["body"]
    )
    first = occurrence_id("acme", template_id, 1)
    issued = json.loads(
        invoke(
            functions["invoices"],
            json.loads(json.dumps(find).replace(find["pathParameters"]["invoiceId"], first)),
        )["body"]
    )

    assert shown["recurringAgreement"]["nextInvoiceDate"] == "2027-02-28T09:00:00Z"
    assert shown["recurringInvoicesIssued"] == 1
    assert issued["recurringTemplate"] == {"id": template_id, "occurrence": 1}
    assert issued["recurringAgreement"] is None


@pytest.mark.parametrize(
    ("agreement", "message"),
    [
        ({"intervalDays": 0, "intervalMonths": 0, "nextInvoiceDate": "2027-01-31T00:00:00Z"}, "above 0"),
        ({"intervalMonths": 1}, "Field required"),
        (
            {
                "intervalMonths": 1,
                "nextInvoiceDate": "2027-01-31T00:00:00Z",
                "endDate": "2027-01-01T00:00:00Z",
            },
            "after",
        ),
    ],
)
def test_an_agreement_that_makes_no_series_is_400_naming_it(functions, agreement, message):
    response = create(functions, recurringAgreement=agreement)

    assert response["statusCode"] == 400
    errors = json.loads(response["body"])["errors"]
    assert any(
        name.startswith("recurringAgreement") and message in " ".join(texts) for name, texts in errors.items()
    ), errors


def test_what_a_run_reads_grows_with_the_due_templates_never_with_the_table(functions, store):
    from devtools.bench.inprocess import counting_aws_calls

    template(functions)
    with counting_aws_calls() as small_table:
        run(functions, "2027-01-31T10:00:00Z")
    for _ in range(40):
        assert create(functions)["statusCode"] == 201
    for _ in range(10):
        template(functions, nextInvoiceDate="2030-01-31T09:00:00Z")
    template(functions)
    with counting_aws_calls() as large_table:
        run(functions, "2027-01-31T10:00:00Z")

    assert "Scan" not in small_table.calls + large_table.calls
    assert sorted(large_table.calls) == sorted(small_table.calls)
    assert large_table.items_read == small_table.items_read
