"""Function workers: cold and warm starts, parallelism, timeouts, crashes and structured errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devtools.stack.runtime import FunctionPool, Runtime, function_spec
from devtools.template import ROOT, LocalDeployment, local_deployment

FIXTURES = Path(__file__).parent / "fixtures"
ENDPOINT = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def deployment() -> LocalDeployment:
    return local_deployment({"MarkerDir": "/nonexistent"}, FIXTURES / "template.yaml")


@pytest.fixture(scope="module")
def runtime(deployment: LocalDeployment) -> Iterator[Runtime]:
    runtime = Runtime(deployment, ENDPOINT)
    yield runtime
    runtime.close()


def test_a_worker_starts_cold_once_and_then_stays_warm(runtime: Runtime) -> None:
    first = runtime.invoke("BehaveFunction", {})
    second = runtime.invoke("BehaveFunction", {})

    assert first.ok
    assert second.ok
    assert first.result["pid"] == second.result["pid"]
    assert first.result["started"] == second.result["started"]
    assert second.init_ms is None
    assert first.request_id != second.request_id
    assert second.result["request_id"] == second.request_id


def test_the_function_gets_a_lambda_context_and_environment(
    runtime: Runtime, deployment: LocalDeployment
) -> None:
    result = runtime.invoke("BehaveFunction", {}).result
    name = deployment.physical_name("BehaveFunction")

    assert result["function_name"] == name
    assert result["memory"] == "128"
    assert result["arn"] == deployment.arn("BehaveFunction")
    assert result["log_group"] == f"/aws/lambda/{name}"
    assert 0 < result["remaining_ms"] <= 1000
    assert result["endpoint"] == ENDPOINT
    assert result["region"] == "eu-west-1"
    assert result["tracing"] == "true"


def test_the_worker_python_path_is_the_function_and_its_layers() -> None:
    real = local_deployment()
    spec = function_spec(real, "MeFunction", ENDPOINT)

    assert spec.environment["PYTHONPATH"].split(":")[:2] == [
        str(ROOT / "functions" / "me"),
        str(ROOT / "layers" / "shared"),
    ]
    assert spec.environment["STAGE"] == "dev"


def test_concurrent_invocations_run_in_parallel_workers(runtime: Runtime) -> None:
    runtime.invoke("BehaveFunction", {})
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=3) as executor:
        invocations = list(executor.map(lambda _: runtime.invoke("BehaveFunction", {"sleep": 0.6}), range(3)))
    elapsed = time.monotonic() - started

    assert all(invocation.ok for invocation in invocations)
    assert len({invocation.result["pid"] for invocation in invocations}) == 3
    assert elapsed < 1.7


def test_a_pool_never_runs_more_workers_than_its_cap(deployment: LocalDeployment) -> None:
    pool = FunctionPool(function_spec(deployment, "BehaveFunction", ENDPOINT), max_workers=1)
    try:
        with ThreadPoolExecutor(max_workers=2) as executor:
            invocations = list(executor.map(lambda _: pool.invoke({"sleep": 0.2}), range(2)))
    finally:
        pool.close()

    assert len({invocation.result["pid"] for invocation in invocations}) == 1


def test_the_timeout_kills_the_worker_and_the_next_invocation_gets_a_new_one(runtime: Runtime) -> None:
    before = runtime.invoke("BehaveFunction", {}).result["pid"]
    started = time.monotonic()

    timed_out = runtime.invoke("BehaveFunction", {"sleep": 5})

    assert time.monotonic() - started < 3
    assert timed_out.error is not None
    assert timed_out.error["errorType"] == "Sandbox.Timedout"
    assert timed_out.error["errorMessage"] == "Task timed out after 1.00 seconds"
    after = runtime.invoke("BehaveFunction", {})
    assert after.ok
    assert after.result["pid"] != before


def test_a_crashed_worker_is_replaced(runtime: Runtime) -> None:
    crashed = runtime.invoke("BehaveFunction", {"crash": True})

    assert crashed.error is not None
    assert crashed.error["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in crashed.error["errorMessage"]
    assert runtime.invoke("BehaveFunction", {}).ok


def test_an_exception_is_a_structured_error_and_the_worker_stays_warm(runtime: Runtime) -> None:
    before = runtime.invoke("BehaveFunction", {}).result["pid"]

    failed = runtime.invoke("BehaveFunction", {"raise": "no such invoice"})

    assert failed.error is not None
    assert (failed.error["errorType"], failed.error["errorMessage"]) == ("ValueError", "no such invoice")
    assert any("app.py" in line for line in failed.error["stackTrace"])
    assert runtime.invoke("BehaveFunction", {}).result["pid"] == before


def test_a_result_that_is_not_json_is_a_marshal_error(runtime: Runtime) -> None:
    invocation = runtime.invoke("BehaveFunction", {"unserializable": True})

    assert invocation.error is not None
    assert invocation.error["errorType"] == "Runtime.MarshalError"


def test_an_init_error_is_reported_on_each_invocation(runtime: Runtime) -> None:
    first = runtime.invoke("BrokenFunction", {})
    second = runtime.invoke("BrokenFunction", {})

    for invocation in (first, second):
        assert invocation.error is not None
        assert invocation.error["errorType"] == "RuntimeError"
        assert invocation.error["errorMessage"] == "TABLE_NAME is not set"


def test_payloads_over_six_megabytes_are_refused(runtime: Runtime) -> None:
    too_big_request = runtime.invoke("BehaveFunction", {"padding": "x" * (6 * 1024 * 1024)})
    too_big_response = runtime.invoke("BehaveFunction", {"big": 6_300_000})

    assert too_big_request.error is not None
    assert too_big_request.error["errorType"] == "RequestEntityTooLargeException"
    assert too_big_response.error is not None
    assert too_big_response.error["errorType"] == "Function.ResponseSizeTooLarge"
    assert runtime.invoke("BehaveFunction", {"big": 10}).result == "x" * 10


def test_function_output_reaches_the_console_with_its_name(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime.invoke("BehaveFunction", {"print": "hello from the function"})

    output = ""
    deadline = time.monotonic() + 5
    while "hello" not in output and time.monotonic() < deadline:
        time.sleep(0.02)
        output += capsys.readouterr().out
    assert "[behave] hello from the function" in output
