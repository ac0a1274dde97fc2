"""The one AWS session of an execution environment, which every client is built from.

A botocore session reads the service models, the endpoint rules and the list of services from disk
the first time it builds a client for a service, about 50 ms for DynamoDB; a second session reads
them all again. PynamoDB gives every model's connection a session of its own and boto3 keeps one
more, so a request touching three models and a bucket paid that four times. Built on first use, like
the clients (`clients.LazyClient`). With tracing on, building it is also when X-Ray starts recording
AWS calls (`invoicing.wiring.tracing`).
"""

from __future__ import annotations

import sys
import threading
from functools import cache
from typing import TYPE_CHECKING, Any

import botocore.session

if TYPE_CHECKING:
    import boto3.session


class _SharedSession(botocore.session.Session):
    """A botocore session that builds one client at a time: a session is not safe to build clients
    from in several threads at once (the clients it builds are)."""

    def __init__(self) -> None:
        super().__init__()
        self._building = threading.Lock()

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        with self._building:
            return super().create_client(*args, **kwargs)


@cache
def botocore_session() -> botocore.session.Session:
    _record_aws_calls_when_traced()
    return _SharedSession()


def _record_aws_calls_when_traced() -> None:
    """The X-Ray SDK is imported only by a tracer that is on; it then patches botocore here, before
    the first client, rather than at init, so a function that calls no AWS service never imports
    botocore's client machinery (about 70 ms of its cold start with tracing on)."""
    if "aws_xray_sdk.core" in sys.modules:
        from aws_xray_sdk.core import patch  # type: ignore[import-untyped]

        patch(["botocore"])


@cache
def boto3_session() -> boto3.session.Session:
    """boto3's session over `botocore_session()`, for the clients built through boto3."""
    import boto3.session

    return boto3.session.Session(botocore_session=botocore_session())
