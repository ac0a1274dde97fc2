"""A function's execution environment: `python -m devtools.stack.worker <function dir> <module.handler>`.

Imports the handler once (the cold start), then serves invocations over a private protocol: one JSON
line per message on the file descriptors the worker was started with as stdin and stdout. Those are
moved aside first, so whatever the function prints (stdout and stderr alike) goes to the stack's
console through the worker's stderr and never into the protocol.

Protocol, worker -> runtime: `{"ready": true}` or `{"ready": false, "error": {...}}` once, then per
invocation `{"result": ...}` or `{"error": {"errorType", "errorMessage", "stackTrace"}}`.
Runtime -> worker: `{"event": ..., "context": {"aws_request_id", "invoked_function_arn",
"deadline_ms"}}`. End of input ends the worker. Only the standard library is used here.
"""

from __future__ import annotations

import decimal
import importlib
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

Handler = Callable[[Any, Any], Any]

TOOLING_ROOT = Path(__file__).resolve().parents[2]


class CognitoIdentity:
    cognito_identity_id = None
    cognito_identity_pool_id = None


class LambdaContext:
    """The context object of the Python Lambda runtime; most fields come from the environment."""

    def __init__(self, aws_request_id: str, invoked_function_arn: str, deadline_ms: int) -> None:
        self.aws_request_id = aws_request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = None
        self.identity = CognitoIdentity()
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, message: str) -> None:
        sys.stdout.write(message)


def error_payload(error_type: str, message: str, stack: list[str] | None = None) -> dict[str, Any]:
    return {"errorType": error_type, "errorMessage": message, "stackTrace": stack or []}


def exception_payload(error: BaseException) -> dict[str, Any]:
    stack = traceback.format_list(traceback.extract_tb(error.__traceback__)[1:])
    return error_payload(type(error).__name__, str(error), stack)


class LoadError(Exception):
    """The handler could not be loaded; `error_type` is the Python runtime's name for why."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def load_handler(spec: str) -> Handler:
    """Import the handler as the Python runtime does, with its error types."""
    module_name, _, function_name = spec.rpartition(".")
    if not module_name:
        raise LoadError("Runtime.MalformedHandlerName", f"Bad handler '{spec}': not enough values to unpack")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise LoadError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}"
        ) from error
    except SyntaxError as error:
        raise LoadError(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}"
        ) from error
    handler = getattr(module, function_name, None)
    if handler is None:
        raise LoadError(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'"
        )
    return handler  # type: ignore[no-any-return]


def _json_default(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _log_error(error: BaseException) -> None:
    """The runtime's log line for a failed invocation, traceback from the handler's frame on."""
    trace = traceback.format_exception(
        type(error), error, error.__traceback__.tb_next if error.__traceback__ else None
    )
    sys.stderr.write(f"[ERROR] {type(error).__name__}: {error}\n{''.join(trace)}")


def _encode(message: object) -> bytes:
    return json.dumps(message, separators=(",", ":"), default=_json_default).encode()


def invoke(handler: Handler, request: dict[str, Any]) -> bytes:
    """Run one invocation; the encoded response message."""
    meta = request["context"]
    context = LambdaContext(meta["aws_request_id"], meta["invoked_function_arn"], meta["deadline_ms"])
    try:
        result = handler(request["event"], context)
    except Exception as error:
        _log_error(error)
        return _encode({"error": exception_payload(error)})
    try:
        return b'{"result":' + _encode(result) + b"}"
    except (TypeError, ValueError) as error:
        return _encode(
            {"error": error_payload("Runtime.MarshalError", f"Unable to marshal response: {error}")}
        )


def _send(channel: BinaryIO, message: bytes) -> None:
    channel.write(message + b"\n")
    channel.flush()


def _take_protocol_channels() -> tuple[BinaryIO, BinaryIO]:
    """Keep stdin/stdout for the protocol; the function's stdin is empty and its stdout is stderr."""
    requests = os.fdopen(os.dup(0), "rb")
    responses = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    return requests, responses


def _forget_tooling() -> None:
    """The repository root is on sys.path only to start this module; function code must not see it."""
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != TOOLING_ROOT]
    for name in [name for name in sys.modules if name == "devtools" or name.startswith("devtools.")]:
        del sys.modules[name]


def main(argv: list[str]) -> int:
    function_dir, handler_spec = argv
    # Ctrl-C reaches the whole process group; the stack, not each worker, decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, responses = _take_protocol_channels()
    _forget_tooling()
    task_root = str(Path(function_dir).resolve())
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    try:
        handler = load_handler(handler_spec)
    except LoadError as error:
        _send(responses, _encode({"ready": False, "error": error_payload(error.error_type, str(error))}))
        return 1
    except Exception as error:
        traceback.print_exc()
        _send(responses, _encode({"ready": False, "error": exception_payload(error)}))
        return 1
    _send(responses, _encode({"ready": True}))
    for line in requests:
        response = invoke(handler, json.loads(line))
        sys.stdout.flush()
        sys.stderr.flush()
        _send(responses, response)
    return 0


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # An execution environment is discarded, not finalised: skipping the interpreter's teardown of
    # the function's modules keeps stopping the stack fast.
    os._exit(status)
