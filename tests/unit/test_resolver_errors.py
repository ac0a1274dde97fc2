"""The resolver every API function uses answers every failure with the one error body."""

import json

import pytest
from aws_lambda_powertools import Logger

from invoicing.api.resolver import build_resolver
from invoicing.errors import Conflict
from tests.integration.conftest import sample_event


@pytest.fixture
def app():
    app = build_resolver(Logger(service="test"))

    @app.get("/v1/me")
    def broken() -> dict:
        raise RuntimeError("database password is hunter2")

    @app.post("/v1/invoices")
    def conflicting() -> dict:
        raise Conflict("Invoice 1 was changed by another request.")

    return app


def resolve(app, method: str, path: str) -> tuple[int, dict]:
    event = sample_event("me/get-me.json")
    event["httpMethod"], event["path"] = method, path
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"])


def test_an_unexpected_error_is_a_500_with_the_correlation_id_and_no_internals(app):
    status, problem = resolve(app, "GET", "/v1/me")

    assert status == 500
    assert problem["correlationId"] == "6f1c1a34-2b8e-4c7e-9a51-8f0c4f3b2d10"
    assert problem["category"] == "TechnicalError"
    assert "hunter2" not in json.dumps(problem)
    assert "Traceback" not in json.dumps(problem)


def test_a_domain_error_keeps_its_status_and_message(app):
    status, problem = resolve(app, "POST", "/v1/invoices")

    assert status == 409
    assert problem["detail"] == "Invoice 1 was changed by another request."


def test_a_route_the_function_does_not_serve_is_404(app):
    status, problem = resolve(app, "GET", "/v1/elsewhere")

    assert status == 404
    assert "/v1/elsewhere" in problem["detail"]
