"""The REQUEST Lambda authorizer as API Gateway runs it: identity check, policy evaluation and cache."""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devtools.stack.events import Api, HttpRequest, RequestInfo, authorizer_event, method_arn
from devtools.stack.responses import EXPLICIT_DENY_MESSAGE
from devtools.stack.runtime import Invocation

INVOKE_ACTION = "execute-api:Invoke"


class MalformedResultError(ValueError):
    """The authorizer answered something API Gateway cannot use."""


@dataclass(frozen=True)
class Decision:
    """Allowed with the `requestContext.authorizer` to pass on, or refused with a gateway response type
    (an ACCESS_DENIED refusal keeps the context: its gateway response may show `$context.authorizer.*`)."""

    authorizer: dict[str, Any] | None = None
    refusal: str | None = None
    message: str | None = None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(pattern: str, value: str) -> bool:
    """IAM wildcards: `*` any run of characters, `?` one character."""
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def evaluate_policy(policy: Any, arn: str) -> str:
    """`allow`, `deny` (an explicit Deny matched) or `implicit-deny` for invoking `arn`."""
    if not isinstance(policy, dict):
        raise MalformedResultError("policyDocument is not an object")
    allowed = False
    for statement in _as_list(policy.get("Statement", [])):
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise MalformedResultError(f"invalid statement {statement!r}")
        actions = [str(action).lower() for action in _as_list(statement.get("Action", []))]
        if not any(_matches(action, INVOKE_ACTION.lower()) for action in actions):
            continue
        if not any(_matches(str(resource), arn) for resource in _as_list(statement.get("Resource", []))):
            continue
        if statement["Effect"] == "Deny":
            return "deny"
        allowed = True
    return "allow" if allowed else "implicit-deny"


def _context_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResultError(f"context value {key!r} is not a string, number or boolean")


def authorizer_context(result: Any) -> dict[str, Any]:
    """`requestContext.authorizer` from a valid result: context values as strings (REST APIs)."""
    if not isinstance(result, dict) or "policyDocument" not in result:
        raise MalformedResultError("the result has no policyDocument")
    principal_id = result.get("principalId")
    if not isinstance(principal_id, str | int | float):
        raise MalformedResultError("principalId is missing")
    context = result.get("context") or {}
    if not isinstance(context, dict):
        raise MalformedResultError("context is not an object")
    converted = {key: _context_value(key, value) for key, value in context.items() if value is not None}
    return {**converted, "principalId": str(principal_id)}


@dataclass(frozen=True)
class _Cached:
    expires: float
    result: dict[str, Any]


class Authorizer:
    """Runs the authorizer function for protected routes, caching its result per identity for the TTL."""

    def __init__(
        self,
        invoke: Callable[[dict[str, Any]], Invocation],
        identity_headers: list[str],
        ttl_seconds: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._invoke = invoke
        self._identity_headers = identity_headers
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: dict[tuple[str, ...], _Cached] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple[str, ...]) -> dict[str, Any] | None:
        now = self._clock()
        with self._lock:
            for stale in [k for k, entry in self._cache.items() if entry.expires <= now]:
                del self._cache[stale]
            entry = self._cache.get(key)
        return entry.result if entry else None

    def authorize(self, api: Api, request: HttpRequest, info: RequestInfo) -> Decision:
        identity = tuple(request.header(name) or "" for name in self._identity_headers)
        if not all(identity):
            return Decision(refusal="UNAUTHORIZED")
        result = self._cached(identity) if self._ttl > 0 else None
        latency_ms = 0
        if result is None:
            started = time.monotonic()
            invocation = self._invoke(authorizer_event(api, request, info))
            latency_ms = int((time.monotonic() - started) * 1000)
            if not invocation.ok:
                assert invocation.error is not None
                if invocation.error.get("errorMessage") == "Unauthorized":
                    return Decision(refusal="UNAUTHORIZED")
                return Decision(refusal="AUTHORIZER_FAILURE")
            result = invocation.result
        try:
            context = authorizer_context(result)
            effect = evaluate_policy(result["policyDocument"], method_arn(api, request.method, request.path))
        except MalformedResultError:
            return Decision(refusal="AUTHORIZER_FAILURE")
        if self._ttl > 0:
            with self._lock:
                self._cache.setdefault(identity, _Cached(self._clock() + self._ttl, result))
        if effect == "deny":
            return Decision(authorizer=context, refusal="ACCESS_DENIED", message=EXPLICIT_DENY_MESSAGE)
        if effect == "implicit-deny":
            return Decision(authorizer=context, refusal="ACCESS_DENIED")
        return Decision(authorizer={**context, "integrationLatency": latency_ms})
