"""The cold-request baseline: the least a DynamoDB-backed handler can do, one GetItem through boto3.

It reads the tenant item the API functions read for the sample tenant, with a client built at init
as a hand-written handler would build it.
"""

import json
import os

import boto3

client = boto3.client("dynamodb")


def lambda_handler(event: dict[str, object], context: object) -> dict[str, object]:
    tenant_id = "acme"
    item = client.get_item(
        TableName=os.environ["TABLE_NAME"],
        Key={"pk": {"S": f"TENANT#{tenant_id}"}, "sk": {"S": "TENANT"}},
    ).get("Item", {})
    return {"statusCode": 200 if item else 404, "body": json.dumps({"tenant": tenant_id})}
