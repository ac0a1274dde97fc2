"""AWS clients built on first use, one per service and function: no client at import, none a
request does not need.

They are botocore clients from the one session, which is what boto3 hands out too: no adapter uses
boto3's additions (resources, managed transfers), and importing boto3 costs about 16 ms of a cold
start.
"""

from __future__ import annotations

from typing import Any


class LazyClient:
    """`LazyClient("sqs")()` is the client, created on the first call and kept. `signature_version`
    is for S3, whose pre-signed links need SigV4 in every region; `max_attempts` bounds the client's own
    retries (standard mode) where a caller retries for longer itself (SES: the queue's backoff)."""

    def __init__(
        self, service_name: str, *, signature_version: str | None = None, max_attempts: int | None = None
    ) -> None:
        self._service_name = service_name
        self._signature_version = signature_version
        self._max_attempts = max_attempts
        self._client: Any = None

    def __call__(self) -> Any:
        if self._client is None:
            from botocore.config import Config

            from invoicing.adapters.aws_session import botocore_session

            options: dict[str, Any] = {}
            if self._signature_version:
                options["signature_version"] = self._signature_version
            if self._max_attempts is not None:
                options["retries"] = {"mode": "standard", "max_attempts": self._max_attempts}
            config = Config(**options) if options else None
            self._client = botocore_session().create_client(self._service_name, config=config)
        return self._client
