"""Injected DynamoDB faults: what the fault file and the in-process rules make DynamoDB answer."""

from __future__ import annotations

import json
from io import BytesIO

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from devtools.stack.dynamodb_faults import DynamoDbFaults, FaultRules, error_reply, faults_in_moto

TRANSACTION = {
    "TransactItems": [
        {"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}}}},
        {
            "Update": {
                "TableName": "t",
                "Key": {"pk": {"S": "a"}, "sk": {"S": "F"}},
                "UpdateExpression": "ADD n :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]
}


def environ(operation: str, body: dict) -> dict:
    raw = json.dumps(body).encode()
    return {
        "REQUEST_METHOD": "POST",
        "HTTP_X_AMZ_TARGET": f"DynamoDB_20120810.{operation}",
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": BytesIO(raw),
    }


def write_faults(state_dir, document: dict) -> None:
    path = state_dir / "faults" / "dynamodb.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


def test_the_fault_file_fails_the_next_n_calls_and_counts_down(tmp_path):
    write_faults(tmp_path, {"TransactWriteItems": {"error": "TransactionConflict", "times": 2}})
    faults = DynamoDbFaults(tmp_path)

    replies = [faults.intercept(environ("TransactWriteItems", TRANSACTION)) for _ in range(3)]

    assert [reply is not None for reply in replies] == [True, True, False]
    status, headers, body = replies[0]
    assert ("Content-Type", "application/x-amz-json-1.0") in headers
    assert status.startswith("400")
    assert json.loads(body)["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
    ]
    assert json.loads((tmp_path / "faults" / "dynamodb.json").read_text()) == {
        "TransactWriteItems": {"error": "TransactionConflict", "times": 0}
    }


def test_the_fault_file_leaves_other_operations_and_services_alone(tmp_path):
    write_faults(tmp_path, {"Query": {"error": "ThrottlingException", "times": 5}})
    faults = DynamoDbFaults(tmp_path)

    assert faults.intercept(environ("GetItem", {})) is None
    assert faults.intercept({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "AmazonSQS.SendMessage"}) is None
    reply = faults.intercept(environ("Query", {}))
    assert reply is not None
    assert json.loads(reply[2])["__type"].endswith("#ThrottlingException")


def test_a_passed_request_keeps_its_body_for_moto(tmp_path):
    write_faults(tmp_path, {"Query": {"error": "ThrottlingException", "times": 0}})
    request = environ("Query", {"TableName": "t"})

    assert DynamoDbFaults(tmp_path).intercept(request) is None
    assert json.loads(request["wsgi.input"].read()) == {"TableName": "t"}


def test_a_share_fails_about_that_share_of_calls_and_times_caps_it():
    rules = FaultRules(seed=7)
    rules.fail("TransactWriteItems", "TransactionConflict", share=0.3)
    shared = sum(rules.take("TransactWriteItems") is not None for _ in range(1000))
    rules.fail("TransactWriteItems", "TransactionConflict", share=0.5, times=10)
    capped = sum(rules.take("TransactWriteItems") is not None for _ in range(1000))

    assert 250 < shared < 350
    assert capped == 10


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"error": "Boom", "times": 1}, "unknown DynamoDB fault"),
        ({"error": "ThrottlingException"}, "times, share or both"),
        ({"error": "ThrottlingException", "share": 2}, "between 0 and 1"),
    ],
)
def test_a_bad_fault_file_says_what_is_wrong(tmp_path, document, message):
    write_faults(tmp_path, {"Query": document})

    with pytest.raises(ValueError, match=message):
        DynamoDbFaults(tmp_path).intercept(environ("Query", {}))


@pytest.mark.parametrize("reason", ["TransactionConflict", "ThrottlingError"])
def test_cancellation_reasons_cancel_transactions_only(reason):
    status, body = error_reply(reason, "TransactWriteItems", TRANSACTION)

    assert status == 400
    assert json.loads(body)["CancellationReasons"][-1]["Code"] == reason
    with pytest.raises(ValueError, match="cancels transactions only"):
        error_reply(reason, "PutItem", {})


def test_in_process_moto_cancels_transactions_as_dynamodb_does_then_lets_them_through():
    rules = FaultRules()
    rules.fail("TransactWriteItems", "TransactionConflict", times=1)
    with mock_aws(), faults_in_moto(rules):
        client = boto3.client("dynamodb", region_name="eu-west-1")
        client.create_table(
            TableName="t",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        with pytest.raises(ClientError) as cancelled:
            client.transact_write_items(**TRANSACTION)
        client.transact_write_items(**TRANSACTION)
        stored = client.get_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "1"}})

    error = cancelled.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    assert [reason["Code"] for reason in error["CancellationReasons"]] == ["None", "TransactionConflict"]
    assert "Item" in stored
    assert rules.injected["TransactWriteItems"] == 1
