"""API Gateway (REST, Lambda proxy) on 127.0.0.1, without the stage prefix in the URL."""

from __future__ import annotations

import base64
import binascii
import threading
import time
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from devtools.stack.authorizer import Authorizer
from devtools.stack.console import say
from devtools.stack.events import Api, HttpRequest, RequestInfo, proxy_event, request_time
from devtools.stack.responses import HttpResponse, render
from devtools.stack.routing import Router
from devtools.stack.runtime import Runtime
from devtools.template import ACCOUNT_ID, LocalDeployment

REQUEST_LIMIT_BYTES = 10 * 1024 * 1024
DRAIN_LIMIT_BYTES = 100 * 1024 * 1024
INTEGRATION_TIMEOUT_SECONDS = 29.0
PROXY_RESPONSE_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})
HOP_BY_HOP = frozenset({"connection", "content-length", "transfer-encoding", "keep-alive"})


class MalformedProxyResponseError(ValueError):
    """The function's result is not a Lambda proxy response (API Gateway: 502)."""


def _header_text(name: str, value: Any) -> str:
    if isinstance(value, dict | list) or value is None:
        raise MalformedProxyResponseError(f"header {name!r} is not a string")
    return str(value).lower() if isinstance(value, bool) else str(value)


def proxy_response(result: Any) -> HttpResponse:
    """The HTTP response a Lambda proxy result describes; a base64 body is decoded to bytes."""
    if not isinstance(result, dict) or not set(result) <= PROXY_RESPONSE_KEYS:
        raise MalformedProxyResponseError("not an object of statusCode, headers, multiValueHeaders, body")
    status = result.get("statusCode")
    if isinstance(status, bool) or not (
        isinstance(status, int) or (isinstance(status, str) and status.isdigit())
    ):
        raise MalformedProxyResponseError(f"statusCode {status!r} is not a number")
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedProxyResponseError("body is not a string")
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedProxyResponseError("headers are not objects")
    headers = [(name, _header_text(name, value)) for name, value in single.items() if name not in multi]
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedProxyResponseError(f"multiValueHeaders {name!r} is not a list")
        headers.extend((name, _header_text(name, value)) for value in values)
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    if result.get("isBase64Encoded") and body is not None:
        try:
            content = base64.b64decode(body, validate=True)
        except binascii.Error as error:
            raise MalformedProxyResponseError(f"body is not base64: {error}") from None
    else:
        content = (body or "").encode("utf-8")
    headers = [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP]
    return HttpResponse(int(status), headers, content)


class Gateway:
    """Turns HTTP requests into proxy events for the template's functions, as API Gateway does."""

    def __init__(self, deployment: LocalDeployment, runtime: Runtime) -> None:
        (api_id,) = deployment.resources_of_type("AWS::Serverless::Api")
        self.api = Api(
            api_id=str(deployment.resolve({"Ref": api_id})),
            stage=str(deployment.resolve(deployment.api_properties["StageName"])),
            binary_media_types=deployment.binary_media_types(),
        )
        self.router = Router(deployment.routes())
        self.gateway_responses = deployment.gateway_responses()
        self.runtime = runtime
        self.authorizer: Authorizer | None = None
        if "Auth" in deployment.api_properties:
            function, headers, ttl = deployment.authorizer_function()
            self.authorizer = Authorizer(lambda event: runtime.invoke(function, event), headers, ttl)

    def _variables(self, request: HttpRequest, info: RequestInfo) -> dict[str, str]:
        return {
            "requestId": info.request_id,
            "extendedRequestId": info.extended_request_id,
            "path": f"/{self.api.stage}{request.path}",
            "resourcePath": info.resource or "",
            "httpMethod": request.method,
            "requestTime": request_time(info.time),
            "requestTimeEpoch": str(int(info.time.timestamp() * 1000)),
            "stage": self.api.stage,
            "apiId": self.api.api_id,
            "accountId": ACCOUNT_ID,
            "domainName": request.header("Host") or "",
            "protocol": request.protocol,
            "identity.sourceIp": request.source_ip,
            "identity.userAgent": request.header("User-Agent") or "",
        }

    def _gateway_response(
        self,
        request: HttpRequest,
        info: RequestInfo,
        response_type: str,
        message: str | None = None,
        authorizer: dict[str, Any] | None = None,
    ) -> HttpResponse:
        variables = self._variables(request, info)
        variables.update({f"authorizer.{key}": str(value) for key, value in (authorizer or {}).items()})
        return self._tagged(render(self.gateway_responses, response_type, variables, message), info)

    @staticmethod
    def _tagged(response: HttpResponse, info: RequestInfo) -> HttpResponse:
        headers = [*response.headers, ("x-amzn-RequestId", info.request_id)]
        headers.append(("x-amz-apigw-id", info.extended_request_id))
        return HttpResponse(response.status, headers, response.body)

    def answer(self, request: HttpRequest, response_type: str) -> HttpResponse:
        """A gateway response before (or instead of) routing the request."""
        info = RequestInfo.new(datetime.now(UTC), None, {})
        return self._gateway_response(request, info, response_type)

    def handle(self, request: HttpRequest) -> HttpResponse:
        now = datetime.now(UTC)
        match = self.router.match(request.method, request.path)
        info = RequestInfo.new(now, match.resource if match else None, match.path_parameters if match else {})
        if match is None or match.route is None:
            return self._gateway_response(request, info, "MISSING_AUTHENTICATION_TOKEN")
        authorizer_context = None
        if not match.route.public and self.authorizer is not None:
            decision = self.authorizer.authorize(self.api, request, info)
            if decision.refusal is not None:
                return self._gateway_response(
                    request, info, decision.refusal, decision.message, decision.authorizer or {}
                )
            authorizer_context = decision.authorizer
        function = match.route.function
        function_timeout = self.runtime.pools[function].spec.timeout
        limit = min(function_timeout, INTEGRATION_TIMEOUT_SECONDS)
        invocation = self.runtime.invoke(
            function, proxy_event(self.api, request, info, authorizer_context), limit
        )
        if not invocation.ok:
            assert invocation.error is not None
            error_type = invocation.error.get("errorType")
            if error_type == "RequestEntityTooLargeException":
                return self._gateway_response(request, info, "REQUEST_TOO_LARGE")
            timed_out = error_type == "Sandbox.Timedout" and limit < function_timeout
            return self._gateway_response(
                request, info, "INTEGRATION_TIMEOUT" if timed_out else "DEFAULT_5XX"
            )
        try:
            return self._tagged(proxy_response(invocation.result), info)
        except MalformedProxyResponseError as error:
            say(f"[gateway] Malformed Lambda proxy response from {function}: {error}")
            return self._gateway_response(request, info, "DEFAULT_5XX")


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "local-apigateway"
    server: GatewayServer

    def version_string(self) -> str:
        return self.server_version

    def _chunks(self) -> Iterator[bytes]:
        """The request body in pieces, whether chunked or of a Content-Length."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while (size := int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)) > 0:
                yield self.rfile.read(size)
                self.rfile.readline()
            while self.rfile.readline().strip():
                pass
            return
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining > 0:
            piece = self.rfile.read(min(remaining, 1024 * 1024))
            if not piece:
                return
            remaining -= len(piece)
            yield piece

    def _read_body(self) -> bytes | None:
        """The request body; None above the limit.

        A body above the limit is still read (and dropped), so that the client gets the 413 instead of
        a broken pipe; beyond DRAIN_LIMIT_BYTES the connection is closed instead.
        """
        pieces, size = [], 0
        for piece in self._chunks():
            size += len(piece)
            if size > DRAIN_LIMIT_BYTES:
                self.close_connection = True
                return None
            if size <= REQUEST_LIMIT_BYTES:
                pieces.append(piece)
        return b"".join(pieces) if size <= REQUEST_LIMIT_BYTES else None

    def _serve(self) -> None:
        started = time.monotonic()
        target = urlsplit(self.path)
        body = self._read_body()
        request = HttpRequest(
            method=self.command,
            path=target.path or "/",
            query=target.query,
            headers=[
                (name, value) for name, value in self.headers.items() if name.lower() != "transfer-encoding"
            ],
            body=body or b"",
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        try:
            if body is None:
                response = self.server.gateway.answer(request, "REQUEST_TOO_LARGE")
            else:
                response = self.server.gateway.handle(request)
        except Exception:
            say(f"[gateway] {traceback.format_exc()}")
            response = self.server.gateway.answer(request, "DEFAULT_5XX")
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        elapsed = (time.monotonic() - started) * 1000
        say(f"{self.command} {request.path} {response.status} {elapsed:.0f}ms")

    def __getattr__(self, name: str) -> Any:
        """`do_<METHOD>` for every method, declared or not (TRACE, PROPFIND, ...): the gateway answers
        each as API Gateway does, instead of http.server's own 501 page."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """The access log is one line per request written by `_serve`."""


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, gateway: Gateway, port: int) -> None:
        super().__init__(("127.0.0.1", port), _RequestHandler)
        self.gateway = gateway
        self._thread = threading.Thread(target=self.serve_forever, args=(0.1,), name="gateway", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self._thread.join()
        self.server_close()
