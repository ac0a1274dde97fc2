"""`Idempotency-Key` on every write: a repeat within 24 hours answers the first response.

- The key is scoped to the tenant, the method and the path: two tenants (or two routes) never share
  one. Without the header, nothing changes.
- The caller's scopes are checked first, by the policy the authorizer gives API Gateway
  (`invoicing.auth.route_access`): a caller who may not call the route is answered by the route
  itself (403) and never sees a kept response.
- The request's fingerprint is a SHA-256 of its body and its query string: the same key with another
  body or another query is 422. The same key while the first request still runs is 409.
- A record holds hashes of the key and of the fingerprint, never the body, and the response. A route
  names the fields that must not reach a record (card numbers, CVCs, bank accounts, secrets) in
  `never_stored`: they are left out of its fingerprint and out of the response it keeps, at any
  depth of the JSON, so a replay answers the response without them (a response whose body cannot
  be read as JSON to remove them is not kept).
- Final answers are kept. An answer that asks the client to retry (every 5xx, 429, a 409 whose
  problem type is `concurrent-change`) or that is about the caller rather than the request (401,
  403) is not, so the retry runs again. A 409 for an illegal transition is final.
- Records live in the IdempotencyTable (powertools persistence, TTL `expiration`); a response too
  large for one item is deflated, or kept in the documents bucket (`invoicing.api.idempotency_records`).
- Once the route has run, its response is answered whatever happens to the record: a write that
  committed never becomes a 5xx inviting a second one. The record then stays in progress until the
  invocation's time is up, so a retry in that window is 409 and never runs the write again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.api import json_numbers
from invoicing.api.idempotency_records import KeptResponses, Outcome, ResponseRecords, ResponseTooLarge
from invoicing.api.problems import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, Problem
from invoicing.auth.principal import Principal
from invoicing.auth.route_access import statements_for
from invoicing.clock import utc_now
from invoicing.errors import AuthenticationFailed, DependencyUnavailable, ValidationFailed

HEADER = "idempotency-key"
RETENTION_SECONDS = 24 * 60 * 60
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: too many requests, and answers about the caller's credentials rather than the request
NOT_FINAL_STATUSES = frozenset({401, 403, 429})
#: the problem types of the 409s that ask the client to retry
RETRY_PROBLEMS = frozenset({"concurrent-change", "idempotency-key-in-progress"})

Resolve = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]
#: "METHOD /resource" (API Gateway's `resource`, e.g. "POST /v1/invoices/{invoiceId}/pay") -> the
#: names of the fields of its body and response that never reach a record
NeverStored = Mapping[str, Collection[str]]


def idempotency_key(event: dict[str, Any]) -> str | None:
    """The request's Idempotency-Key (header names are case-insensitive), for writes only."""
    if event.get("httpMethod") not in WRITE_METHODS:
        return None
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == HEADER and value and str(value).strip():
            return str(value).strip()
    return None


@dataclass
class _Attempt:
    """What the route answered, once it has run: the answer even when its record is not saved."""

    response: dict[str, Any] | None = None


class _NotKept(Exception):
    """Raised with a response that is not final, so that powertools drops the record."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__("a response that is not final is not kept")
        self.response = response


def is_final(response: dict[str, Any]) -> bool:
    """Whether a response is kept for the key's repeats."""
    status = int(response.get("statusCode", 500))
    if status >= 500 or status in NOT_FINAL_STATUSES:
        return False
    return status != 409 or _problem_slug(response) not in RETRY_PROBLEMS


def _problem_slug(response: dict[str, Any]) -> str | None:
    try:
        body = json.loads(response.get("body") or "")
    except ValueError:
        return None
    kind = body.get("type") if isinstance(body, dict) else None
    return kind.removeprefix(PROBLEM_TYPE_PREFIX) if isinstance(kind, str) else None


def request_fingerprint(event: dict[str, Any], never_stored: Collection[str] = ()) -> str:
    """SHA-256 of what makes two requests with one key the same request: the body and the query
    string (every value of every parameter, in the order sent). With `never_stored`, the body is
    the JSON without those fields (numbers kept to their digits), or left out when it is not JSON."""
    body = event.get("body")
    if never_stored and body:
        body = _json_without(body, never_stored)
    query = event.get("multiValueQueryStringParameters") or {
        name: [value] for name, value in (event.get("queryStringParameters") or {}).items()
    }
    made_of = {"body": body, "query": sorted(query.items())}
    return hashlib.sha256(json.dumps(made_of, separators=(",", ":")).encode()).hexdigest()


def _json_without(text: str, names: Collection[str]) -> str | None:
    try:
        document = json_numbers.loads(text)
    except ValidationFailed:
        return None
    return json_numbers.dumps(_without(document, names))


def _without(value: Any, names: Collection[str]) -> Any:
    if isinstance(value, dict):
        return {key: _without(item, names) for key, item in value.items() if key not in names}
    if isinstance(value, list):
        return [_without(item, names) for item in value]
    return value


def _response_without(response: dict[str, Any], names: Collection[str]) -> dict[str, Any] | None:
    """The response as it is kept: its JSON body without the named fields, numbers written with the
    digits they had; None when the body cannot be read to remove them (it is then not kept)."""
    body = response.get("body")
    if not names or not body:
        return response
    if response.get("isBase64Encoded"):
        return None
    try:
        document = json_numbers.loads(body)
    except ValidationFailed:
        return None
    return {**response, "body": json_numbers.dumps(_without(document, names))}


def may_call(event: dict[str, Any]) -> bool:
    """Whether the caller's scopes open the request's method and path, as API Gateway evaluates the
    authorizer's policy: some Allow matches and no Deny does (`*` matches any characters, `/` too)."""
    try:
        principal = Principal.from_authorizer_context((event.get("requestContext") or {}).get("authorizer"))
    except AuthenticationFailed:
        return False
    method, path = str(event.get("httpMethod")), str(event.get("path") or "").lstrip("/")
    effects = {
        statement.effect
        for statement in statements_for(principal.scopes)
        if _matches(statement.method, method) and _matches(statement.resource, path)
    }
    return "Allow" in effects and "Deny" not in effects


def _matches(pattern: str, value: str) -> bool:
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), value) is not None


def _record_name(request: dict[str, Any]) -> str:
    """A name unique to the record: the hash of what its key is made of."""
    made_of = [request["tenant"], request["method"], request["path"], request["key"]]
    return hashlib.sha256(json.dumps(made_of).encode()).hexdigest()


def _problem_response(event: dict[str, Any], problem: Problem) -> dict[str, Any]:
    context = event.get("requestContext") or {}
    body = problem.body(
        instance=str(context.get("path") or event.get("path") or ""),
        correlation_id=str(context.get("requestId") or ""),
        now=utc_now(),
    )
    return {
        "statusCode": problem.status,
        "multiValueHeaders": {"Content-Type": [PROBLEM_CONTENT_TYPE]},
        "body": json.dumps(body, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def _unavailable() -> Problem:
    return Problem(
        503,
        "dependency-unavailable",
        "The idempotency store is unavailable; nothing was done. Retry shortly.",
        "The service is temporarily unavailable. Please try again later.",
    )


class IdempotentWrites:
    """Wraps a resolver's entry point; the persistence layer (and its client) is built on first use.

    `kept_responses` holds responses too large for a record; without it such a response is answered
    but not kept."""

    def __init__(
        self,
        table_name: str,
        logger: Logger,
        metrics: Metrics,
        kept_responses: KeptResponses | None = None,
        never_stored: NeverStored | None = None,
    ) -> None:
        self._table_name = table_name
        self._never_stored = {route: frozenset(names) for route, names in (never_stored or {}).items()}
        self._logger = logger
        self._metrics = metrics
        self._records = ResponseRecords(kept_responses)
        self._run: Callable[..., Any] | None = None
        self._config: Any = None

    def _runner(self, resolve: Resolve) -> Callable[..., Any]:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )
        from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import (
            CustomDictSerializer,
        )

        from invoicing.adapters.aws_session import boto3_session

        # powertools hashes both with its default, MD5: records written before keep their ids, and
        # what it hashes for validation is already a SHA-256, never the body.
        self._config = IdempotencyConfig(
            event_key_jmespath="[tenant, method, path, key]",
            payload_validation_jmespath="fingerprint",
            expires_after_seconds=RETENTION_SECONDS,
        )

        def run(
            request: dict[str, Any], event: dict[str, Any], attempt: _Attempt, context: LambdaContext
        ) -> Outcome:
            response = attempt.response = resolve(event, context)
            if not is_final(response):
                raise _NotKept(response)
            kept = _response_without(response, self._never_stored_in(event))
            if kept is None:
                raise _NotKept(response)
            return Outcome(response, kept, tenant_id=request["tenant"], record=_record_name(request))

        runner: Callable[..., Any] = idempotent_function(
            run,
            data_keyword_argument="request",
            persistence_store=DynamoDBPersistenceLayer(
                table_name=self._table_name, boto3_session=boto3_session()
            ),
            config=self._config,
            output_serializer=CustomDictSerializer(
                to_dict=self._records.compact, from_dict=self._records.expand
            ),
        )
        return runner

    def __call__(self, resolve: Resolve, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        key = idempotency_key(event)
        if key is None or not may_call(event):
            return resolve(event, context)
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyInconsistentStateError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        if self._run is None:
            self._run = self._runner(resolve)
        self._config.register_lambda_context(context)
        authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
        request = {
            "tenant": authorizer.get("tenantId"),
            "method": event.get("httpMethod"),
            "path": event.get("path"),
            "key": key,
            "fingerprint": request_fingerprint(event, self._never_stored_in(event)),
        }
        attempt = _Attempt()
        try:
            result = self._run(request=request, event=event, attempt=attempt, context=context)
        except _NotKept as failure:
            return failure.response
        except IdempotencyValidationError:
            detail = "This Idempotency-Key was already used with a different request body or query string."
            problem = Problem(
                422,
                "idempotency-key-reused",
                detail,
                "This request was already made differently.",
                {"Idempotency-Key": ["Use a new key for a different request."]},
            )
            return _problem_response(event, problem)
        except IdempotencyAlreadyInProgressError:
            detail = "A request with this Idempotency-Key is still being processed; retry shortly."
            problem = Problem(
                409, "idempotency-key-in-progress", detail, "Your request is still being processed."
            )
            return _problem_response(event, problem)
        except IdempotencyPersistenceLayerError as failure:
            if attempt.response is None:
                self._logger.warning("idempotency store unavailable", extra={"reason": str(failure)})
                return _problem_response(event, _unavailable())
            self._logger.error("response answered but not kept", extra={"reason": str(failure)})
            self._metrics.add_metric(name="IdempotencyRecordNotSaved", unit=MetricUnit.Count, value=1)
            return attempt.response
        except IdempotencyInconsistentStateError as failure:
            self._logger.warning("idempotency record changed while read", extra={"reason": str(failure)})
            return _problem_response(event, _unavailable())
        except (DependencyUnavailable, ResponseTooLarge) as failure:
            self._logger.warning("kept response unavailable", extra={"reason": str(failure)})
            return _problem_response(event, _unavailable())
        return result.answered if isinstance(result, Outcome) else result

    def _never_stored_in(self, event: dict[str, Any]) -> frozenset[str]:
        return self._never_stored.get(f"{event.get('httpMethod')} {event.get('resource')}", frozenset())
