"""A cancelled transaction leaves every item as it was, with the cheap item-level rollback."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from devtools.stack.moto_patches import snapshot_named_items_only


@pytest.fixture
def table():
    snapshot_named_items_only()
    with mock_aws():
        client = boto3.client("dynamodb")
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
        client.put_item(TableName="t", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"N": "1"}})
        client.put_item(TableName="t", Item={"pk": {"S": "b"}, "sk": {"S": "1"}, "v": {"N": "1"}})
        yield client


def items(client) -> list[dict]:
    return sorted(client.scan(TableName="t")["Items"], key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def test_a_cancelled_transaction_puts_every_named_item_back(table):
    before = items(table)

    with pytest.raises(ClientError, match="TransactionCanceled"):
        table.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": {"pk": {"S": "new"}, "sk": {"S": "1"}}}},
                {"Delete": {"TableName": "t", "Key": {"pk": {"S": "b"}, "sk": {"S": "1"}}}},
                {
                    "Update": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
                        "UpdateExpression": "SET v = :nine",
                        "ConditionExpression": "v = :two",
                        "ExpressionAttributeValues": {":nine": {"N": "9"}, ":two": {"N": "2"}},
                    }
                },
            ]
        )

    assert items(table) == before


def test_a_committed_transaction_still_applies(table):
    table.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "new"}, "sk": {"S": "1"}}}},
            {"Delete": {"TableName": "t", "Key": {"pk": {"S": "b"}, "sk": {"S": "1"}}}},
        ]
    )

    assert [(item["pk"]["S"]) for item in items(table)] == ["a", "new"]
