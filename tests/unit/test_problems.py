import json
import re
from datetime import UTC, datetime

from devtools.template import local_deployment
from invoicing.api.errors import problem_for
from invoicing.api.problems import Problem
from invoicing.errors import Conflict, NotFound, ValidationFailed

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_the_body_carries_every_seeds_fields():
    body = Problem(
        400,
        "validation-error",
        "The request is not valid: currency.",
        "Some fields are not valid.",
        {"currency": ["Unknown currency XXX."]},
    ).body(instance="/v1/invoices", correlation_id="req-1", now=NOW)

    assert body == {
        "type": "urn:invoicing:problem:validation-error",
        "title": "Bad Request",
        "status": 400,
        "detail": "The request is not valid: currency.",
        "instance": "/v1/invoices",
        "time": "2026-11-22T10:00:00Z",
        "category": "BusinessError",
        "message": "The request is not valid: currency.",
        "customerFacingMessage": "Some fields are not valid.",
        "code": 400,
        "statusCode": 400,
        "name": "ClientError",
        "details": [{"error": "Unknown currency XXX.", "fields": ["currency"], "hint": ""}],
        "errors": {"currency": ["Unknown currency XXX."]},
        "correlationId": "req-1",
    }


def test_server_errors_are_technical():
    body = Problem(500, "internal-error", "x", "y").body(instance="/", correlation_id="c", now=NOW)

    assert (body["category"], body["name"], body["title"]) == (
        "TechnicalError",
        "ServerError",
        "Internal Server Error",
    )


def test_domain_errors_map_to_their_status():
    assert problem_for(NotFound("no invoice")).status == 404
    assert problem_for(Conflict("changed")).status == 409
    assert problem_for(ValidationFailed("bad", field_errors={"a": ["b"]})).field_errors == {"a": ["b"]}


def test_gateway_responses_in_the_template_use_the_same_body():
    expected_keys = set(Problem(400, "x", "d", "c").body(instance="/", correlation_id="c", now=NOW))

    for response_type, response in local_deployment().gateway_responses().items():
        template = response["ResponseTemplates"]["application/json"]
        rendered = re.sub(r"\$context\.error\.messageString", '"message"', template)
        rendered = re.sub(r"\$context\.[A-Za-z.]+", "value", rendered)
        body = json.loads(rendered)
        assert set(body) == expected_keys, response_type
        assert body["status"] == int(response["StatusCode"]), response_type
        assert response["ResponseParameters"]["Headers"]["Content-Type"] == "'application/problem+json'"
