"""Running functions in-process against moto and counting what they ask of AWS.

Items read are what DynamoDB bills a read for: the items a Query evaluates (ScannedCount, also for
Select=COUNT) and the items GetItem and BatchGetItem return.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from unittest import mock

from devtools.template import REGION, ROOT, LocalDeployment


@dataclass
class CallLog:
    calls: list[str] = field(default_factory=list)
    items_read: int = 0


def _items_read(operation: str, response: dict[str, Any]) -> int:
    if operation == "GetItem":
        return 1 if "Item" in response else 0
    if operation == "Query":
        return int(response.get("ScannedCount", len(response.get("Items", []))))
    if operation == "BatchGetItem":
        return sum(len(items) for items in response.get("Responses", {}).values())
    return 0


@contextmanager
def counting_aws_calls() -> Iterator[CallLog]:
    """Record every botocore API call made inside the block, and the items it read."""
    import botocore.client

    log = CallLog()
    original: Callable[..., dict[str, Any]] = botocore.client.BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        response = original(client, operation, params)
        log.calls.append(operation)
        log.items_read += _items_read(operation, response)
        return response

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", counted):
        yield log


def load_function(deployment: LocalDeployment, logical_id: str) -> ModuleType:
    """Import a function's handler module fresh, with the environment the template gives it and its
    layers on sys.path (as /opt/python on Lambda)."""
    os.environ.update(deployment.function_environment(logical_id))
    for directory in reversed(deployment.function_layer_directories(logical_id)):
        if str(directory) not in sys.path:
            sys.path.insert(0, str(directory))
    path = deployment.function_directory(logical_id) / "app.py"
    spec = importlib.util.spec_from_file_location(f"bench_{logical_id}_{uuid.uuid4().hex}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def use_in_process_aws() -> None:
    """Point this process at moto's in-process mock with dummy credentials and the shared layer."""
    warnings.filterwarnings("ignore", "No application metrics to publish")
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_METRICS_NAMESPACE="Invoicing",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    sys.path.insert(0, str(ROOT / "layers" / "shared"))
