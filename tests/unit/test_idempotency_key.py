import pytest

from invoicing.api.idempotency import idempotency_key


@pytest.mark.parametrize("header", ["Idempotency-Key", "idempotency-key", "IDEMPOTENCY-KEY"])
def test_the_key_is_read_from_any_header_case_on_writes(header):
    assert idempotency_key({"httpMethod": "POST", "headers": {header: " k-1 "}}) == "k-1"


@pytest.mark.parametrize(
    "event",
    [
        {"httpMethod": "GET", "headers": {"Idempotency-Key": "k"}},
        {"httpMethod": "POST", "headers": {}},
        {"httpMethod": "POST", "headers": None},
        {"httpMethod": "PATCH", "headers": {"Idempotency-Key": "  "}},
    ],
)
def test_reads_and_requests_without_a_key_are_not_idempotent(event):
    assert idempotency_key(event) is None
