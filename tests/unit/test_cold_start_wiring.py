"""What the wiring does for the cold start: no X-Ray SDK when tracing is off, one AWS session."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pynamodb.connection import Connection

from invoicing.adapters import dynamodb
from invoicing.adapters.aws_session import boto3_session, botocore_session
from invoicing.wiring.tracing import tracing_enabled

SHARED_LAYER = Path(__file__).resolve().parents[2] / "layers" / "shared"
UNTRACED_PROBE = """\
import sys
from invoicing.wiring.tracing import build_tracer
tracer = build_tracer()

@tracer.capture_method
def answer():
    return 42

assert answer() == 42
assert type(tracer.provider).__name__ == "_Untraced", tracer.provider
assert "aws_xray_sdk.core" not in sys.modules
"""
TRACED_PROBE = """\
import sys
from invoicing.wiring.tracing import build_tracer
tracer = build_tracer()
assert type(tracer.provider).__name__ == "AsyncAWSXRayRecorder", tracer.provider
assert "aws_xray_sdk.ext.botocore.patch" not in sys.modules

from aws_xray_sdk.core import patcher
from invoicing.adapters.aws_session import botocore_session
botocore_session()
assert "botocore" in patcher._PATCHED_MODULES, patcher._PATCHED_MODULES
"""


@pytest.mark.parametrize(
    ("environment", "enabled"),
    [
        ({"LAMBDA_TASK_ROOT": "/var/task"}, True),
        ({"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({"LAMBDA_TASK_ROOT": "/var/task", "AWS_SAM_LOCAL": "true"}, False),
        ({}, False),
    ],
    ids=["lambda", "disabled", "sam-local", "outside-lambda"],
)
def test_tracing_is_on_only_in_lambda_unless_disabled(monkeypatch, environment, enabled):
    for name in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL", "AWS_CHALICE_CLI_MODE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    assert tracing_enabled() is enabled


def test_a_tracer_that_is_off_traces_nothing_and_never_imports_the_xray_sdk():
    environment = {k: v for k, v in os.environ.items() if k != "LAMBDA_TASK_ROOT"}
    environment |= {"POWERTOOLS_TRACE_DISABLED": "true", "PYTHONPATH": str(SHARED_LAYER)}
    completed = subprocess.run(
        [sys.executable, "-c", UNTRACED_PROBE], env=environment, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr


def test_a_tracer_that_is_on_records_aws_calls_from_the_first_aws_session():
    environment = {k: v for k, v in os.environ.items() if k != "POWERTOOLS_TRACE_DISABLED"}
    environment |= {"LAMBDA_TASK_ROOT": str(SHARED_LAYER), "PYTHONPATH": str(SHARED_LAYER)}
    completed = subprocess.run(
        [sys.executable, "-c", TRACED_PROBE], env=environment, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr


def test_every_pynamodb_connection_and_boto3_client_shares_one_botocore_session():
    one_session_loader = botocore_session().get_component("data_loader")
    assert dynamodb.transaction_connection().client._loader is one_session_loader
    assert Connection().client._loader is one_session_loader
    assert boto3_session()._session is botocore_session()


def test_every_pynamodb_connection_shares_one_dynamodb_client():
    assert Connection().client is dynamodb.transaction_connection().client
    assert Connection(region="eu-central-1").client is not dynamodb.transaction_connection().client


def test_a_connection_made_after_the_endpoint_changed_gets_a_client_for_the_new_endpoint(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    before = Connection().client
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:2")
    after = Connection().client

    assert before is not after
    assert after.meta.endpoint_url == "http://127.0.0.1:2"
