"""On Lambda, a function's init runs without cyclic garbage collection and ends with what it built
frozen and collection back on; anywhere else the collector is left alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from devtools.template import REGION, local_deployment

PROBE = """\
import gc, json, sys
sys.path[:0] = sys.argv[1:]
import invoicing.wiring
during = gc.isenabled()
import app
print(json.dumps({"during": during, "after": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


def collector_around_the_init(function: str, *, execution_env: str | None) -> dict[str, object]:
    deployment = local_deployment()
    search_path = [deployment.function_directory(function), *deployment.function_layer_directories(function)]
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AWS_EXECUTION_ENV")},
        **deployment.function_environment(function),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    if execution_env is not None:
        environment["AWS_EXECUTION_ENV"] = execution_env
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, search_path)],
        cwd=deployment.function_directory(function),
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    observed: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return observed


@pytest.mark.parametrize("function", ["MeFunction", "OverdueFunction"])
def test_on_lambda_the_init_collects_nothing_and_ends_frozen_with_collection_on(function):
    observed = collector_around_the_init(function, execution_env="AWS_Lambda_python3.13")

    assert observed["during"] is False
    assert observed["after"] is True
    assert isinstance(observed["frozen"], int)
    assert observed["frozen"] > 10_000


def test_elsewhere_the_collector_is_left_alone():
    observed = collector_around_the_init("MeFunction", execution_env=None)

    assert observed == {"during": True, "after": True, "frozen": 0}
