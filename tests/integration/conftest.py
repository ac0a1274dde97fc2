"""Integration fixtures: moto in-process with every resource of template.yaml, and the functions."""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from moto import mock_aws

from devtools.template import ACCOUNT_ID, REGION, ROOT, LocalDeployment, load_template, local_deployment

EVENTS = ROOT / "events"


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = ""

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@functools.cache
def _parsed_template() -> dict:
    return load_template()


@pytest.fixture
def deployment() -> LocalDeployment:
    """Every resource of template.yaml in moto; the template is parsed once per worker."""
    from devtools.stack.provision import provision_resources

    with mock_aws():
        deployment = LocalDeployment(
            template=copy.deepcopy(_parsed_template()), parameter_overrides={}, base_dir=ROOT
        )
        provision_resources(deployment, None)
        yield deployment


@pytest.fixture
def dynamodb_faults(deployment):
    """`dynamodb_faults.fail("TransactWriteItems", "TransactionConflict", times=30)` (or `share=0.5`)
    makes moto fail those calls as DynamoDB would under contention; DynamoDB calls are then atomic, so
    threads race as requests do. `dynamodb_faults.injected` counts the failures per operation."""
    from devtools.stack.dynamodb_faults import FaultRules, faults_in_moto

    rules = FaultRules()
    with faults_in_moto(rules):
        yield rules


@pytest.fixture
def load_function(deployment, monkeypatch):
    """Import a function's handler module fresh, with the environment the template gives it and its
    layers on sys.path (as /opt/python on Lambda)."""

    def load(logical_id: str, *, unset: tuple[str, ...] = ()) -> ModuleType:
        for name, value in deployment.function_environment(logical_id).items():
            if name in unset:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        for directory in deployment.function_layer_directories(logical_id):
            monkeypatch.syspath_prepend(str(directory))
        path = Path(deployment.function_directory(logical_id)) / "app.py"
        spec = importlib.util.spec_from_file_location(f"function_{logical_id}_{uuid.uuid4().hex}", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


def invoke(module: ModuleType, event: dict, function_name: str = "function") -> dict:
    return module.lambda_handler(event, LambdaContext(function_name, aws_request_id=str(uuid.uuid4())))


def sample_event(relative_path: str) -> dict:
    return json.loads((EVENTS / relative_path).read_text(encoding="utf-8"))


def cold_start_probe(function: str, probe: str, *, environment: dict[str, str] | None = None) -> object:
    """What `probe` prints last, as JSON, run in a fresh interpreter that sees only the function's own
    directory and layers (as `sys.argv[1:]`, for the probe to put on `sys.path`), as Lambda does, with
    the function's template environment and `environment` on top."""
    deployment = local_deployment()
    search_path = [deployment.function_directory(function), *deployment.function_layer_directories(function)]
    variables = {
        **os.environ,
        **deployment.function_environment(function),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
        **(environment or {}),
    }
    variables.pop("PYTHONPATH", None)
    completed = subprocess.run(
        [sys.executable, "-c", probe, *map(str, search_path)],
        cwd=deployment.function_directory(function),
        env=variables,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def imported_at_cold_start(function: str, modules: Iterable[str]) -> list[str]:
    """Which of `modules` the function's `app` imports at cold start."""
    probe = (
        f"import json, sys; names = {sorted(modules)!r}; sys.path[:0] = sys.argv[1:]; import app; "
        "print(json.dumps(sorted(name for name in names if name in sys.modules)))"
    )
    imported = cold_start_probe(function, probe)
    assert isinstance(imported, list)
    return imported
