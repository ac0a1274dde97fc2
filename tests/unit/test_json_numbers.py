"""Amounts in and out of the API as JSON numbers with their exact digits, never through a float."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from invoicing.api import json_numbers
from invoicing.api.resolver import build_resolver
from invoicing.errors import ValidationFailed
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.model import ApiModel, Money
from tests.integration.conftest import sample_event

PRODUCT = Decimal("999999") * Decimal("999999999999.99")


class Figures(ApiModel):
    total: Money
    rows: list[Money]
    status: InvoiceStatus
    at: datetime


@dataclass(frozen=True)
class Point:
    amount: Decimal


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (PRODUCT, "999998999999990000.01"),
        (Decimal("1200.00"), "1200.00"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-0.000001"), "-0.000001"),
        (Decimal("0"), "0"),
    ],
)
def test_a_decimal_is_written_with_its_own_digits(value, text):
    assert json_numbers.dumps(value) == text
    assert json.loads(text, parse_float=Decimal) == value


def test_structures_models_and_dataclasses_are_written_as_json():
    value = {
        "figures": Figures(
            total=PRODUCT,
            rows=[Decimal("0.10")],
            status=InvoiceStatus.PAID,
            at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
        ),
        "points": (Point(Decimal("2.50")),),
        "text": 'Müller "quoted"\n',
        "flags": [True, False, None],
        "count": 3,
        "ratio": 0.5,
    }

    text = json_numbers.dumps(value)

    assert text == (
        '{"figures":{"total":999998999999990000.01,"rows":[0.10],"status":"PAID","at":"2026-11-22T09:30:00Z"},'
        '"points":[{"amount":2.50}],"text":"M\\u00fcller \\"quoted\\"\\n","flags":[true,false,null],'
        '"count":3,"ratio":0.5}'
    )
    assert json.loads(text)["text"] == 'Müller "quoted"\n'


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), float("nan")])
def test_what_json_has_no_number_for_is_refused(value):
    with pytest.raises(ValueError, match="JSON"):
        json_numbers.dumps(value)


def test_a_body_is_read_with_exact_decimals():
    assert json_numbers.loads('{"amount": 999999999999.123456, "count": 2}') == {
        "amount": Decimal("999999999999.123456"),
        "count": 2,
    }


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"n": ' + "9" * 5_000 + "}",
        '{"n": NaN}',
        '{"n": -Infinity}',
        '{"n": ',
        b'{"n": "\xff"}',
    ],
    ids=["deeply-nested", "5000-digit-integer", "nan", "infinity", "truncated", "not-utf8"],
)
def test_a_body_that_is_not_json_is_a_validation_failure_naming_the_body(text):
    with pytest.raises(ValidationFailed) as refused:
        json_numbers.loads(text)

    assert list(refused.value.field_errors) == ["body"]


@pytest.fixture
def app():
    app = build_resolver(Logger(service="test"))

    @app.get("/v1/me")
    def figures() -> Figures:
        return Figures(
            total=PRODUCT, rows=[Decimal("1200.00")], status=InvoiceStatus.SENT, at=datetime.now(UTC)
        )

    @app.get("/v1/invoices/find")
    def listed() -> list[Figures]:
        return [figures(), figures()]

    @app.get("/v1/invoices/stats")
    def untyped():  # no return model: the body is written as it is
        return {"total": PRODUCT}

    @app.post("/v1/invoices")
    def created() -> Response[Figures]:
        return Response(201, "application/json", figures())

    return app


def resolve(app, method: str, path: str) -> dict:
    event = sample_event("me/get-me.json")
    event["httpMethod"], event["path"] = method, path
    return app.resolve(event, None)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/me"),
        ("GET", "/v1/invoices/find"),
        ("GET", "/v1/invoices/stats"),
        ("POST", "/v1/invoices"),
    ],
)
def test_every_response_carries_amounts_as_exact_json_numbers(app, method, path):
    body = resolve(app, method, path)["body"]

    assert "999998999999990000.01" in body
    assert "e+17" not in body.lower()
    assert str(PRODUCT) in body


def test_a_validated_response_keeps_the_digits_it_has(app):
    assert '"rows":[1200.00]' in resolve(app, "GET", "/v1/me")["body"]


def test_the_openapi_document_calls_an_amount_a_number(app):
    schema = app.get_openapi_schema().model_dump(mode="json", by_alias=True, exclude_none=True)
    figures = next(
        value for name, value in schema["components"]["schemas"].items() if name.startswith("Figures")
    )

    assert figures["properties"]["total"]["type"] == "number"
    assert figures["properties"]["rows"]["items"]["type"] == "number"
