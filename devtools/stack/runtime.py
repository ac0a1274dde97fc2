"""Lambda without Docker: each function runs in warm subprocess workers (see `worker.py`).

A pool per function reuses an idle worker and starts another when all are busy, up to a cap, so
concurrent requests really run in parallel. The template's Timeout is enforced by killing the
worker; a worker that dies is replaced. Every failure comes back as a structured error.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from devtools.stack.console import say_from
from devtools.template import REGION, ROOT, LocalDeployment

MAX_WORKERS_PER_FUNCTION = 16
INIT_TIMEOUT_SECONDS = 30.0  # Lambda allows 10 s; a laptop starting several workers at once is slower
PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024  # synchronous invocation, request and response
RESPONSE_LIMIT_BYTES = 6_291_556
BASE_VARIABLES = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "SYSTEMROOT")


@dataclass(frozen=True)
class FunctionSpec:
    """What a worker needs to run one function of the template."""

    logical_id: str
    label: str
    directory: Path
    handler: str
    timeout: float
    arn: str
    environment: dict[str, str]


def function_spec(deployment: LocalDeployment, logical_id: str, moto_endpoint: str) -> FunctionSpec:
    properties = deployment.function_properties(logical_id)
    directory = deployment.function_directory(logical_id)
    name = deployment.physical_name(logical_id)
    memory = str(properties.get("MemorySize", 128))
    log_group = properties.get("LoggingConfig", {}).get("LogGroup")
    python_path = [directory, *deployment.function_layer_directories(logical_id), ROOT]
    environment = {key: os.environ[key] for key in BASE_VARIABLES if key in os.environ}
    environment.update(deployment.function_environment(logical_id))
    environment.update(
        AWS_ENDPOINT_URL=moto_endpoint,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_LAMBDA_FUNCTION_NAME=name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=memory,
        AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
        AWS_LAMBDA_LOG_GROUP_NAME=str(deployment.resolve(log_group)) if log_group else f"/aws/lambda/{name}",
        AWS_EXECUTION_ENV="AWS_Lambda_python3.13",
        LAMBDA_TASK_ROOT=str(directory),
        _HANDLER=properties["Handler"],
        TZ=":UTC",
        POWERTOOLS_TRACE_DISABLED="true",
        PYTHONPATH=os.pathsep.join(str(path) for path in python_path),
        PYTHONUNBUFFERED="1",
    )
    return FunctionSpec(
        logical_id=logical_id,
        label=directory.name,
        directory=directory,
        handler=properties["Handler"],
        timeout=float(properties.get("Timeout", 3)),
        arn=deployment.arn(logical_id),
        environment=environment,
    )


@dataclass(frozen=True)
class Invocation:
    """The outcome of one invocation: a result, or a Lambda-style error (errorType, errorMessage)."""

    request_id: str
    result: Any = None
    error: dict[str, Any] | None = None
    duration_ms: float = 0.0
    init_ms: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _error(error_type: str, message: str) -> dict[str, Any]:
    return {"errorType": error_type, "errorMessage": message}


class Worker:
    """One execution environment: a subprocess that imported the handler and serves invocations."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self.ready = False
        self._messages: queue.Queue[bytes | None] = queue.Queue()
        stream = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devtools.stack.worker", str(self.spec.directory), self.spec.handler],
            cwd=self.spec.directory,
            env={**self.spec.environment, "AWS_LAMBDA_LOG_STREAM_NAME": stream},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._threads = [
            threading.Thread(target=self._read_messages, args=(self.process.stdout,), daemon=True),
            threading.Thread(target=self._relay_output, args=(self.process.stderr,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _read_messages(self, stream: IO[bytes]) -> None:
        for line in stream:
            self._messages.put(line)
        self._messages.put(None)

    def _relay_output(self, stream: IO[bytes]) -> None:
        for line in stream:
            say_from(self.spec.label, line.decode("utf-8", "replace").rstrip("\n"))

    def _receive(self, timeout: float) -> dict[str, Any] | bytes | None:
        """The next message (raw bytes when too large to parse usefully), None on exit; raises on timeout."""
        line = self._messages.get(timeout=max(timeout, 0.0))
        if line is None:
            return None
        if len(line) > RESPONSE_LIMIT_BYTES + 64:
            return line
        message: dict[str, Any] = json.loads(line)
        return message

    def _exited(self, request_id: str) -> dict[str, Any]:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.returncode
        return _error(
            "Runtime.ExitError",
            f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}",
        )

    def start(self, request_id: str) -> dict[str, Any] | None:
        """Wait for the cold start; the init error, if any."""
        try:
            message = self._receive(INIT_TIMEOUT_SECONDS)
        except queue.Empty:
            self.kill()
            return _error("Runtime.InitTimeout", f"Init did not complete within {INIT_TIMEOUT_SECONDS:.0f} s")
        if message is None:
            return self._exited(request_id)
        assert isinstance(message, dict)
        if not message.get("ready"):
            self.kill()
            return dict(message.get("error") or _error("Runtime.Unknown", "init failed"))
        self.ready = True
        return None

    def invoke(self, event: Any, request_id: str, timeout: float) -> tuple[Any, dict[str, Any] | None]:
        """(result, None) or (None, error). After an error of the environment the worker is dead."""
        deadline_ms = int((time.time() + timeout) * 1000)
        request = json.dumps(
            {
                "event": event,
                "context": {
                    "aws_request_id": request_id,
                    "invoked_function_arn": self.spec.arn,
                    "deadline_ms": deadline_ms,
                },
            },
            separators=(",", ":"),
        ).encode()
        if len(request) > PAYLOAD_LIMIT_BYTES:
            return None, _error(
                "RequestEntityTooLargeException",
                f"Request must be smaller than {PAYLOAD_LIMIT_BYTES} bytes for the InvokeFunction operation",
            )
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(request + b"\n")
            self.process.stdin.flush()
            message = self._receive(timeout)
        except BrokenPipeError:
            return None, self._exited(request_id)
        except queue.Empty:
            self.kill()
            return None, _error("Sandbox.Timedout", f"Task timed out after {timeout:.2f} seconds")
        if message is None:
            return None, self._exited(request_id)
        if isinstance(message, bytes):
            return None, _error(
                "Function.ResponseSizeTooLarge",
                f"Response payload size ({len(message)} bytes) exceeded maximum allowed payload size "
                f"({RESPONSE_LIMIT_BYTES} bytes).",
            )
        if "error" in message:
            return None, dict(message["error"])
        return message.get("result"), None

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """Ask the worker to finish (end of input)."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()

    def kill(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()

    def stop(self, grace: float = 2.0) -> None:
        """End the worker, then let its last output reach the console."""
        self.close()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()
        for thread in self._threads:
            thread.join(timeout=grace)


def invoke_worker(worker: Worker, event: Any, timeout: float) -> Invocation:
    """One invocation on `worker`, starting it first when it is cold, with START/REPORT log lines."""
    request_id = str(uuid.uuid4())
    init_ms = None
    if not worker.ready:
        started = time.monotonic()
        init_error = worker.start(request_id)
        init_ms = (time.monotonic() - started) * 1000
        if init_error is not None:
            say_from(
                worker.spec.label, f"INIT_REPORT Init Duration: {init_ms:.2f} ms Phase: init Status: error"
            )
            return Invocation(request_id=request_id, error=init_error, init_ms=init_ms)
    started = time.monotonic()
    result, error = worker.invoke(event, request_id, timeout)
    duration_ms = (time.monotonic() - started) * 1000
    init = f" Init Duration: {init_ms:.2f} ms" if init_ms is not None else ""
    status = f" Status: error ({error['errorType']})" if error else ""
    say_from(
        worker.spec.label, f"REPORT RequestId: {request_id} Duration: {duration_ms:.2f} ms{init}{status}"
    )
    return Invocation(
        request_id=request_id, result=result, error=error, duration_ms=duration_ms, init_ms=init_ms
    )


class FunctionPool:
    """Warm workers of one function; at most `max_workers` run at once, further callers wait."""

    def __init__(self, spec: FunctionSpec, max_workers: int = MAX_WORKERS_PER_FUNCTION) -> None:
        self.spec = spec
        self._slots = threading.BoundedSemaphore(max_workers)
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._workers: set[Worker] = set()
        self._closed = False

    def _acquire(self) -> Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("the stack is stopping")
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
                self._workers.discard(worker)
            worker = Worker(self.spec)
            self._workers.add(worker)
            return worker

    def _release(self, worker: Worker) -> None:
        with self._lock:
            if worker.alive and worker.ready and not self._closed:
                self._idle.append(worker)
                return
            self._workers.discard(worker)
        worker.kill()

    def invoke(self, event: Any, timeout: float | None = None) -> Invocation:
        with self._slots:
            try:
                worker = self._acquire()
            except RuntimeError as error:
                return Invocation(request_id=str(uuid.uuid4()), error=_error("ServiceException", str(error)))
            try:
                return invoke_worker(worker, event, self.spec.timeout if timeout is None else timeout)
            finally:
                self._release(worker)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._idle.clear()
            self._workers.clear()
        for worker in workers:
            worker.close()
        for worker in workers:
            worker.stop()


class Runtime:
    """All functions of the template, invocable by logical id or ARN."""

    def __init__(self, deployment: LocalDeployment, moto_endpoint: str) -> None:
        self.pools = {
            logical_id: FunctionPool(function_spec(deployment, logical_id, moto_endpoint))
            for logical_id in deployment.functions
        }
        self.by_arn = {pool.spec.arn: logical_id for logical_id, pool in self.pools.items()}

    def invoke(self, logical_id: str, event: Any, timeout: float | None = None) -> Invocation:
        return self.pools[logical_id].invoke(event, timeout)

    def close(self) -> None:
        threads = [threading.Thread(target=pool.close) for pool in self.pools.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
