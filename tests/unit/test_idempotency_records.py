"""What an idempotency record keeps of a response: as it is, deflated, or in the bucket."""

from __future__ import annotations

import hashlib
import json

import pytest

from invoicing.api.idempotency_records import INLINE_LIMIT, Outcome, ResponseRecords, ResponseTooLarge


class Bucket:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, tenant_id: str, record: str, body: bytes) -> str:
        key = f"idempotency/{tenant_id}/{record}"
        self.objects[key] = body
        return key

    def get(self, key: str) -> bytes:
        return self.objects[key]


def response(body: str) -> dict:
    return {"statusCode": 201, "multiValueHeaders": {"Location": ["/v1/x"]}, "body": body}


def outcome(body: str) -> Outcome:
    return Outcome(response(body), response(body), tenant_id="acme", record="r-1")


def hex_text(characters: int) -> str:
    """Text that deflates poorly: hex digits of hashes."""
    return "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(characters // 64 + 1))[
        :characters
    ]


def test_a_small_response_is_kept_as_it_is():
    kept = ResponseRecords(Bucket()).compact(outcome('{"id": "i-1"}'))

    assert kept == response('{"id": "i-1"}')


def test_a_large_response_is_deflated_into_the_record():
    body = json.dumps({"rows": ["Consulting, on site."] * 50_000})
    records = ResponseRecords(Bucket())

    kept = records.compact(outcome(body))

    assert set(kept) == {"deflated"}
    assert len(json.dumps(kept)) < INLINE_LIMIT
    assert records.expand(kept) == response(body)


def test_a_response_that_still_does_not_fit_is_kept_in_the_bucket_under_its_tenant():
    bucket = Bucket()
    records = ResponseRecords(bucket)
    body = hex_text(1_000_000)

    kept = records.compact(outcome(body))

    assert kept == {"object": "idempotency/acme/r-1"}
    assert records.expand(kept) == response(body)


def test_without_a_bucket_a_response_that_does_not_fit_is_refused():
    with pytest.raises(ResponseTooLarge):
        ResponseRecords(None).compact(outcome(hex_text(1_000_000)))


def test_what_is_kept_is_the_response_without_its_never_stored_fields():
    kept = ResponseRecords(Bucket()).compact(
        Outcome(response('{"n": "4111"}'), response("{}"), "acme", "r-1")
    )

    assert kept == response("{}")
