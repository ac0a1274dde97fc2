"""What an idempotency record keeps of a response, so that any response fits one DynamoDB item.

A response is kept as it is up to PLAIN_LIMIT characters of JSON, deflated (zlib, base64) up to
INLINE_LIMIT, and beyond that deflated in the documents bucket, the record naming the object's key.
A 1,000-row invoice (2.3 MB of JSON) deflates to 67 KB (89 KB in base64) when its rows repeat
themselves and to 1.2 MB when every description is 2,000 hex digits; the item's limit is 400 KB.
zlib's fastest level takes 8 ms for the first and 73 ms for the second (its default level deflates
hex digits 3% smaller in three times the time).
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass
from typing import Any, Protocol

PLAIN_LIMIT = 32 * 1024
#: of DynamoDB's 400 KB per item, leaving room for the record's id, status, hash and timestamps
INLINE_LIMIT = 300_000


class KeptResponses(Protocol):
    """Where responses too large for the record are kept (`invoicing.adapters.kept_responses`)."""

    def put(self, tenant_id: str, record: str, body: bytes) -> str: ...

    def get(self, key: str) -> bytes: ...


class ResponseTooLarge(Exception):
    """The response does not fit the record and there is no bucket to keep it in."""


@dataclass(frozen=True)
class Outcome:
    """The response answered, the response kept (without the fields that are never stored), and what
    names the object the kept one may need: the tenant and a name unique to the record."""

    answered: dict[str, Any]
    kept: dict[str, Any]
    tenant_id: str
    record: str


class ResponseRecords:
    """`compact` and `expand` are the record's serializer: what is saved, and what a replay answers."""

    def __init__(self, objects: KeptResponses | None) -> None:
        self._objects = objects

    def compact(self, outcome: Outcome) -> dict[str, Any]:
        text = json.dumps(outcome.kept, separators=(",", ":"))
        if len(text) <= PLAIN_LIMIT:
            return outcome.kept
        deflated = zlib.compress(text.encode(), level=1)
        encoded = base64.b64encode(deflated).decode("ascii")
        if len(encoded) <= INLINE_LIMIT:
            return {"deflated": encoded}
        if self._objects is None:
            raise ResponseTooLarge(f"a response of {len(text)} characters deflates to {len(encoded)}")
        return {"object": self._objects.put(outcome.tenant_id, outcome.record, deflated)}

    def expand(self, kept: dict[str, Any]) -> dict[str, Any]:
        if "deflated" in kept:
            return _inflate(base64.b64decode(kept["deflated"]))
        if "object" in kept:
            if self._objects is None:
                raise ResponseTooLarge(f"the response is kept in {kept['object']}, but no bucket is set")
            return _inflate(self._objects.get(kept["object"]))
        return kept


def _inflate(deflated: bytes) -> dict[str, Any]:
    response: dict[str, Any] = json.loads(zlib.decompress(deflated))
    return response
