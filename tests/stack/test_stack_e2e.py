"""The stack as a developer runs it, with a small test template: HTTP, schedules, jobs and mail."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from devtools.stack.aws import aws_client
from devtools.stack.testing import RunningStack, python_environment, running_stack
from devtools.template import ROOT

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parent / "fixtures"
MARKER_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:invoicing-local-markerfunction"


@pytest.fixture(scope="module")
def markers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("markers")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, markers: Path) -> Iterator[RunningStack]:
    arguments = (
        "--template",
        str(FIXTURES / "template.yaml"),
        "--parameter-overrides",
        f"MarkerDir={markers}",
    )
    with running_stack(tmp_path_factory.mktemp("fixture-stack"), *arguments) as running:
        yield running


def call(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def eventually[T](probe: Callable[[], T | None], timeout: float = 15.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError(f"nothing after {timeout} s")


def test_a_binary_response_comes_back_byte_for_byte(stack: RunningStack) -> None:
    status, headers, body = call(f"{stack.base_url}/files/report.pdf")

    assert status == 200
    assert headers["Content-Type"] == "application/octet-stream"
    assert body == bytes(range(256)) * 4


def test_a_multipart_body_round_trips_byte_for_byte(stack: RunningStack) -> None:
    payload = (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + bytes(range(256)) * 64 + b"\r\n--b0undary--\r\n"
    )
    content_type = "multipart/form-data; boundary=b0undary"

    status, headers, body = call(f"{stack.base_url}/echo", "POST", payload, {"Content-Type": content_type})

    assert status == 201
    assert body == payload
    assert headers["Content-Type"] == content_type


def test_the_console_shows_access_lines_and_function_output(stack: RunningStack) -> None:
    call(f"{stack.base_url}/echo", "POST", b"{}", {"Content-Type": "application/json"})

    output = eventually(lambda: stack.output() if "[echo] echo POST /echo" in stack.output() else None)
    assert re.search(r"^POST /echo 201 \d+ms$", output, re.MULTILINE)
    assert "Local stack is up" in output


def test_the_authorizer_guards_private_routes(stack: RunningStack) -> None:
    allowed = call(f"{stack.base_url}/private", headers={"Authorization": "Bearer good"})
    denied = call(f"{stack.base_url}/private", headers={"Authorization": "Bearer deny"})
    refused = call(f"{stack.base_url}/private", headers={"Authorization": "Bearer bad"})
    anonymous = call(f"{stack.base_url}/private")

    assert allowed[0] == 200
    context = json.loads(allowed[2])
    assert {key: context[key] for key in ("tenantId", "clientId", "admin", "principalId")} == {
        "tenantId": "acme",
        "clientId": "7",
        "admin": "true",
        "principalId": "tester",
    }
    assert denied[0] == 403
    assert (refused[0], anonymous[0]) == (401, 401)
    assert json.loads(anonymous[2])["instance"] == "/test/private"


def test_gateway_errors_use_the_templates_responses(stack: RunningStack) -> None:
    unknown = call(f"{stack.base_url}/nowhere")
    malformed = call(f"{stack.base_url}/behave")
    too_large = call(
        f"{stack.base_url}/echo", "POST", b"x" * (10 * 1024 * 1024 + 1), {"Content-Type": "text/plain"}
    )

    assert (unknown[0], json.loads(unknown[2])) == (403, {"message": "Missing Authentication Token"})
    assert (malformed[0], json.loads(malformed[2])) == (500, {"title": "Internal", "type": "DEFAULT_5XX"})
    assert too_large[0] == 413


def test_a_one_time_schedule_created_at_run_time_fires(stack: RunningStack, markers: Path) -> None:
    marker = f"schedule-{uuid.uuid4().hex}"
    scheduler = aws_client("scheduler", stack.moto_endpoint)
    scheduler.create_schedule(
        Name=marker,
        ScheduleExpression=f"at({datetime.now(UTC):%Y-%m-%dT%H:%M:%S})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": MARKER_ARN,
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps({"marker": marker, "at": "<aws.scheduler.scheduled-time>"}),
        },
        ActionAfterCompletion="DELETE",
    )

    written = eventually(lambda: (markers / f"{marker}.json").exists() or None)
    event = json.loads((markers / f"{marker}.json").read_text())

    assert written
    assert event["marker"] == marker
    assert event["at"].endswith("Z")
    eventually(lambda: not scheduler.list_schedules(NamePrefix=marker)["Schedules"] or None)


def run_job(stack: RunningStack | None, *arguments: str) -> subprocess.CompletedProcess[str]:
    state_dir = str(stack.state_dir) if stack else str(ROOT / "tests" / "no-such-state")
    return subprocess.run(
        [sys.executable, "-m", "devtools.stack.job", "--state-dir", state_dir, *arguments],
        cwd=ROOT,
        env=python_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_job_fires_the_function_with_the_given_time(stack: RunningStack, markers: Path) -> None:
    completed = run_job(stack, "--name", "marker", "--at", "2026-11-22T10:00:00Z")

    assert completed.returncode == 0, completed.stderr
    events = [json.loads(path.read_text()) for path in markers.glob("*.json")]
    fired = [event for event in events if event.get("time") == "2026-11-22T10:00:00Z"]
    assert len(fired) == 1
    assert fired[0]["detail-type"] == "Scheduled Event"
    assert fired[0]["resources"] == [
        "arn:aws:events:eu-west-1:123456789012:rule/invoicing-local-markerfunctiondaily"
    ]
    assert f'"wrote": "{fired[0]["id"]}"' in completed.stdout


def test_a_job_explains_what_is_wrong(stack: RunningStack) -> None:
    unknown = run_job(stack, "--name", "nope", "--at", "2026-11-22T10:00:00")
    failing = run_job(stack, "--name", "BrokenFunction", "--at", "2026-11-22T10:00:00")
    no_stack = run_job(None, "--name", "marker", "--at", "2026-11-22T10:00:00")

    assert unknown.returncode == 2
    assert "no function called 'nope'" in unknown.stderr
    assert failing.returncode == 1
    assert "TABLE_NAME is not set" in failing.stderr
    assert no_stack.returncode == 2
    assert "No local stack is running" in no_stack.stderr


def test_mail_sent_through_the_stacks_moto_lands_in_the_outbox(stack: RunningStack) -> None:
    subject = f"Invoice {uuid.uuid4().hex}"
    aws_client("ses", stack.moto_endpoint).send_email(
        Source="sender@example.com",
        Destination={"ToAddresses": ["customer@example.org"]},
        Message={
            "Subject": {"Data": subject},
            "Body": {"Text": {"Data": "Your invoice"}, "Html": {"Data": "<b>Your invoice</b>"}},
        },
    )

    def find() -> Any:
        for path in sorted((stack.state_dir / "outbox").glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=default)
            if message["Subject"] == subject:
                return message
        return None

    message = eventually(find)
    assert message["To"] == "customer@example.org"
    assert message.get_body(preferencelist=("html",)).get_content().strip() == "<b>Your invoice</b>"
