"""Idempotency-Key on the real functions against moto: what is replayed, what runs again, what is kept."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime

import boto3
import pytest

from devtools.template import load_template
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.errors import InvoiceChanged
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import LambdaContext, invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
WRITING_FUNCTIONS = (
    "InvoicesFunction",
    "LifecycleFunction",
    "SearchFunction",
    "DocumentsFunction",
    "DeliveryFunction",
)


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return Functions(load_function)


class Functions(dict):
    """The function of each sample group, imported on first use."""

    def __init__(self, load_function) -> None:
        super().__init__()
        self._load = load_function

    def __missing__(self, group: str):
        self[group] = self._load(f"{group.capitalize()}Function")
        return self[group]


def call(
    functions,
    sample: str,
    *,
    key: str | None = None,
    invoice_id: str = SAMPLE_ID,
    body: object = ...,
    query: dict[str, list[str]] | None = None,
    scopes: str | None = None,
) -> tuple[int, object]:
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    if key is not None:
        event["headers"]["Idempotency-Key"] = key
        event["multiValueHeaders"]["Idempotency-Key"] = [key]
    if body is not ...:
        event["body"] = json.dumps(body)
    if query is not None:
        event["multiValueQueryStringParameters"] = query
        event["queryStringParameters"] = {name: values[-1] for name, values in query.items()}
    if scopes is not None:
        event["requestContext"]["authorizer"]["scopes"] = scopes
    response = invoke(functions[sample.split("/")[0]], event)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def order(**overrides) -> dict:
    return json.loads(sample_event("invoices/create-invoice.json")["body"]) | overrides


def draft(functions, **overrides) -> dict:
    status, invoice = call(functions, "invoices/create-invoice.json", body=order(**overrides))
    assert status == 201, invoice
    return invoice


def invoice_count(functions) -> int:
    status, invoices = call(functions, "invoices/find-all-invoices.json")
    assert status == 200
    return len(invoices)


def exists(functions, invoice_id: str) -> bool:
    return call(functions, "invoices/find-invoice.json", invoice_id=invoice_id)[0] == 200


def rows(count: int, *, compressible: bool) -> list[dict]:
    """`count` rows of the longest description allowed: one text repeated, or hex digits of hashes."""
    rows = []
    for number in range(count):
        if compressible:
            description = ("Consulting, on site. " * 100)[:2_000]
        else:
            digests = (hashlib.sha256(f"{number}:{part}".encode()).hexdigest() for part in range(32))
            description = "".join(digests)[:2_000]
        rows.append({"description": description, "quantity": number + 1, "unitPrice": 1, "taxRate": 19})
    return rows


@pytest.mark.parametrize("compressible", [True, False], ids=["compressible", "incompressible"])
def test_a_committed_write_too_large_for_one_item_is_replayed_and_not_repeated(functions, compressible):
    key = str(uuid.uuid4())
    big = order(rows=rows(1_000, compressible=compressible))
    before = invoice_count(functions)

    first = call(functions, "invoices/create-invoice.json", key=key, body=big)
    again = call(functions, "invoices/create-invoice.json", key=key, body=big)

    assert first[0] == 201
    assert len(json.dumps(first[1])) > 2_000_000
    assert again == first
    assert invoice_count(functions) == before + 1


def test_a_response_kept_in_the_bucket_is_keyed_by_its_tenant(functions, deployment):
    key = str(uuid.uuid4())
    big = order(rows=rows(1_000, compressible=False))

    assert call(functions, "invoices/create-invoice.json", key=key, body=big)[0] == 201

    listing = boto3.client("s3").list_objects_v2(
        Bucket=deployment.ref("DocumentsBucket"), Prefix="idempotency/"
    )
    assert [item["Key"].split("/")[1] for item in listing["Contents"]] == ["acme"]


def test_kept_responses_expire_after_a_day_and_every_writing_function_may_keep_them():
    resources = load_template()["Resources"]
    rules = resources["DocumentsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert [rule["ExpirationInDays"] for rule in rules if rule["Prefix"] == "idempotency/"] == [1]
    for function in WRITING_FUNCTIONS:
        environment = resources[function]["Properties"]["Environment"]["Variables"]
        statements = [
            statement
            for policy in resources[function]["Properties"]["Policies"]
            for statement in policy.get("Statement", [])
            if statement["Resource"] == {"Fn::Sub": "${DocumentsBucket.Arn}/idempotency/*"}
        ]
        assert environment["BUCKET_NAME"] == {"Ref": "DocumentsBucket"}, function
        assert [sorted(statement["Action"]) for statement in statements] == [["s3:GetObject", "s3:PutObject"]]


def test_a_committed_write_whose_record_cannot_be_saved_still_answers_it(functions, monkeypatch):
    """The record stays in progress: a retry within the window is 409 "in progress", never a second write."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from botocore.exceptions import ClientError

    def throttled(self, data_record):
        error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
        raise ClientError(error, "UpdateItem")

    monkeypatch.setattr(DynamoDBPersistenceLayer, "_update_record", throttled)
    key = str(uuid.uuid4())
    before = invoice_count(functions)

    status, invoice = call(functions, "invoices/create-invoice.json", key=key, body=order())
    retried, problem = call(functions, "invoices/create-invoice.json", key=key, body=order())

    assert status == 201
    assert invoice["status"] == "DRAFT"
    assert retried == 409
    assert problem["type"].endswith("idempotency-key-in-progress")
    assert invoice_count(functions) == before + 1


def test_a_store_that_fails_before_the_write_is_503_and_nothing_is_written(functions, monkeypatch):
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from botocore.exceptions import ClientError

    def unavailable(self, data_record):
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, "PutItem")

    monkeypatch.setattr(DynamoDBPersistenceLayer, "_put_record", unavailable)
    before = invoice_count(functions)

    status, problem = call(functions, "invoices/create-invoice.json", key=str(uuid.uuid4()), body=order())

    assert status == 503
    assert problem["type"].endswith(":dependency-unavailable")
    assert invoice_count(functions) == before


def test_the_same_key_with_another_query_is_422_and_changes_nothing(functions):
    first, second = draft(functions), draft(functions)
    key = str(uuid.uuid4())

    deleted = call(functions, "invoices/delete-invoices.json", key=key, query={"ids": [first["id"]]})
    reused = call(functions, "invoices/delete-invoices.json", key=key, query={"ids": [second["id"]]})

    assert deleted == (204, None)
    assert reused[0] == 422
    assert "Idempotency-Key" in reused[1]["errors"]
    assert (exists(functions, first["id"]), exists(functions, second["id"])) == (False, True)


def test_the_same_key_with_the_same_query_is_replayed(functions):
    invoice = draft(functions)
    key = str(uuid.uuid4())

    first = call(functions, "invoices/delete-invoices.json", key=key, query={"ids": [invoice["id"]]})
    again = call(functions, "invoices/delete-invoices.json", key=key, query={"ids": [invoice["id"]]})

    assert first == again == (204, None)


def test_mark_as_paid_with_the_same_key_and_another_date_is_422(functions):
    invoice = draft(functions)
    assert call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])[0] == 200
    key = str(uuid.uuid4())

    paid = call(
        functions,
        "lifecycle/mark-as-paid.json",
        key=key,
        invoice_id=invoice["id"],
        query={"date": ["2026-11-30"]},
    )
    other = call(
        functions,
        "lifecycle/mark-as-paid.json",
        key=key,
        invoice_id=invoice["id"],
        query={"date": ["2026-12-01"]},
    )

    assert paid[0] == 200
    assert other[0] == 422
    assert call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])[1]["datePaid"].startswith(
        "2026-11-30"
    )


def test_a_concurrent_change_is_not_kept_so_the_retry_runs_again(functions, monkeypatch):
    invoice = draft(functions)
    repository = functions["invoices"].services.invoices
    delete = repository.delete
    calls = []

    def changed_concurrently_once(target):
        calls.append(target.id)
        if len(calls) == 1:
            raise InvoiceChanged("The invoice was changed concurrently; retry.")
        delete(target)

    monkeypatch.setattr(repository, "delete", changed_concurrently_once)
    key = str(uuid.uuid4())

    refused = call(functions, "invoices/delete-invoice.json", key=key, invoice_id=invoice["id"])
    retried = call(functions, "invoices/delete-invoice.json", key=key, invoice_id=invoice["id"])

    assert refused[0] == 409
    assert refused[1]["type"].endswith(":concurrent-change")
    assert retried == (204, None)
    assert not exists(functions, invoice["id"])


def test_a_final_conflict_is_kept_and_replayed(functions):
    invoice = draft(functions)
    key = str(uuid.uuid4())

    refused = call(functions, "lifecycle/cancel.json", key=key, invoice_id=invoice["id"])
    assert call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])[0] == 200
    again = call(functions, "lifecycle/cancel.json", key=key, invoice_id=invoice["id"])

    assert refused[0] == 409
    assert refused[1]["type"].endswith(":conflict")
    assert again == refused
    assert call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])[1]["status"] == "SENT"


def test_a_caller_without_the_routes_scope_is_refused_before_anything_is_replayed(functions):
    key = str(uuid.uuid4())
    created = call(functions, "invoices/create-invoice.json", key=key, body=order())

    reader = call(functions, "invoices/create-invoice.json", key=key, body=order(), scopes="invoices:read")
    writer = call(functions, "invoices/create-invoice.json", key=key, body=order())

    assert created[0] == 201
    assert reader[0] == 403
    assert "id" not in reader[1]
    assert writer == created


CARD_ROUTE = "/v1/invoices/{invoiceId}/pay-by-card"


@pytest.fixture
def card_payments(deployment, monkeypatch):
    """A route of the kind card payments will add, marking the card's fields as never stored; it even
    echoes the card number, which the record must still not keep."""
    from aws_lambda_powertools import Logger, Metrics, Tracer
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

    from invoicing.api.handler import api_handler

    for name, value in deployment.function_environment("LifecycleFunction").items():
        monkeypatch.setenv(name, value)
    app = APIGatewayRestResolver()

    @app.post("/v1/invoices/<invoiceId>/pay-by-card")
    def pay_by_card(invoiceId: str) -> Response[str]:
        number = app.current_event.json_body["card"]["number"]
        card = {"number": number, "last4": number[-4:]}
        body = f'{{"invoiceId":"{invoiceId}","amount":10.50,"card":{json.dumps(card)}}}'
        return Response(200, "application/json", body)

    logger = Logger()
    return api_handler(
        app,
        logger,
        Tracer(),
        Metrics(),
        idempotency_table=deployment.ref("IdempotencyTable"),
        idempotency_bucket=deployment.ref("DocumentsBucket"),
        never_stored={f"POST {CARD_ROUTE}": {"number", "cvc"}},
    )


def pay_by_card(handler, key: str, number: str, cvc: str) -> tuple[int, str]:
    event = sample_event("invoices/create-invoice.json")
    event["resource"] = CARD_ROUTE
    event["path"] = f"/v1/invoices/{SAMPLE_ID}/pay-by-card"
    event["headers"]["Idempotency-Key"] = key
    event["body"] = json.dumps({"amount": 10, "card": {"number": number, "cvc": cvc, "expiry": "12/30"}})
    response = handler(event, LambdaContext("card-payments", aws_request_id=str(uuid.uuid4())))
    return response["statusCode"], response["body"]


def test_fields_a_route_marks_never_reach_a_record(card_payments, deployment):
    key = str(uuid.uuid4())

    paid = pay_by_card(card_payments, key, "4111111111111111", "737")
    again = pay_by_card(card_payments, key, "5555555555554444", "123")

    card = '{"number": "4111111111111111", "last4": "1111"}'
    assert paid == (200, f'{{"invoiceId":"{SAMPLE_ID}","amount":10.50,"card":{card}}}')
    assert again == (200, f'{{"invoiceId":"{SAMPLE_ID}","amount":10.50,"card":{{"last4":"1111"}}}}')
    records = boto3.client("dynamodb").scan(TableName=deployment.ref("IdempotencyTable"))["Items"]
    assert len(records) == 1
    assert not {"4111111111111111", "737", "5555555555554444"} & set(re.findall(r"\d+", json.dumps(records)))


def test_a_record_keeps_the_key_and_the_request_only_as_hashes(functions, deployment):
    key = f"key-{uuid.uuid4()}"
    body = order(note="Pay by Friday.")

    assert call(functions, "invoices/create-invoice.json", key=key, body=body)[0] == 201

    records = boto3.client("dynamodb").scan(TableName=deployment.ref("IdempotencyTable"))["Items"]
    assert [sorted(record) for record in records] == [
        ["data", "expiration", "id", "in_progress_expiration", "status", "validation"]
    ]
    assert key not in json.dumps(records)
    assert json.dumps(body) not in json.dumps(records)


def test_the_sellers_bank_account_never_reaches_a_record(functions, deployment):
    event = sample_event("settings/patch-settings.json")
    event["headers"]["Idempotency-Key"] = key = str(uuid.uuid4())
    settings = functions["settings"]

    changed = invoke(settings, event)
    replayed = invoke(settings, event)

    assert json.loads(changed["body"])["seller"]["iban"] == "DE89370400440532013000"
    assert replayed["statusCode"] == 200
    assert "iban" not in json.loads(replayed["body"])["seller"]
    assert json.loads(replayed["body"])["version"] == json.loads(changed["body"])["version"]
    records = json.dumps(boto3.client("dynamodb").scan(TableName=deployment.ref("IdempotencyTable"))["Items"])
    assert "370400440532013000" not in records.replace(" ", "")
    assert key not in records
