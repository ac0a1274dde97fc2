"""What template.yaml grants and records: least-privilege policies, and no responses in traces."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from devtools.template import ROOT, local_deployment

SOURCE_DIRECTORIES = (ROOT / "functions", ROOT / "layers")
TRACER_DECORATORS = {"capture_method", "capture_lambda_handler"}


@pytest.fixture(scope="module")
def deployment():
    return local_deployment()


def statements(properties: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline policy statements of a function (SAM policy templates are named, not expanded)."""
    return [
        statement
        for policy in properties.get("Policies", [])
        if isinstance(policy, dict) and "Statement" in policy
        for statement in policy["Statement"]
    ]


def actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def test_no_function_sends_its_responses_to_x_ray(deployment):
    for logical_id in deployment.functions:
        environment = deployment.function_environment(logical_id)
        assert environment.get("POWERTOOLS_TRACER_CAPTURE_RESPONSE") == "false", logical_id


def test_no_tracer_decorator_asks_to_capture_the_response():
    asking = []
    for path in (path for directory in SOURCE_DIRECTORIES for path in directory.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            if node.func.attr in TRACER_DECORATORS and not _is_false(
                keywords.get("capture_response", ast.Constant(False))
            ):
                asking.append(f"{Path(path).relative_to(ROOT)}:{node.lineno}")

    assert asking == []


def _is_false(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and value.value is False


def test_the_authorizer_may_only_get_items(deployment):
    properties = deployment.function_properties("AuthorizerFunction")

    policy_templates = {name for policy in properties["Policies"] for name in policy if name != "Statement"}
    dynamodb = [action for statement in statements(properties) for action in actions(statement)]
    dynamodb = [action for action in dynamodb if action.startswith("dynamodb:")]

    assert "DynamoDBReadPolicy" not in policy_templates
    assert not [name for name in policy_templates if name.startswith("DynamoDB")]
    assert dynamodb == ["dynamodb:GetItem"]
    (grant,) = [statement for statement in statements(properties) if "dynamodb:GetItem" in actions(statement)]
    assert grant["Resource"] == {"Fn::GetAtt": ["InvoicingTable", "Arn"]}


def test_every_bucket_listing_is_limited_to_the_prefixes_the_function_reads(deployment):
    listings = {
        logical_id: statement
        for logical_id in deployment.functions
        for statement in statements(deployment.function_properties(logical_id))
        if {"s3:ListBucket", "s3:ListBucketVersions"} & set(actions(statement))
    }

    assert "DocumentsFunction" in listings
    for logical_id, statement in listings.items():
        prefixes = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix")
        assert prefixes, f"{logical_id} may list the whole bucket"
        assert all(prefix.endswith("/*") and prefix != "/*" for prefix in _as_list(prefixes)), logical_id
    documents = _as_list(listings["DocumentsFunction"]["Condition"]["StringLike"]["s3:prefix"])
    assert sorted(documents) == ["tenants/*", "themes/*"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
