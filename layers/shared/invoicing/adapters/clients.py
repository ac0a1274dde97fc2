"""AWS clients built on first use, one per service and function: no client at import, none a
request does not need."""

from __future__ import annotations

from typing import Any


class LazyClient:
    """`LazyClient("sqs")()` is the boto3 client, created on the first call and kept. `signature_version`
    is for S3, whose pre-signed links need SigV4 in every region."""

    def __init__(self, service_name: str, *, signature_version: str | None = None) -> None:
        self._service_name = service_name
        self._signature_version = signature_version
        self._client: Any = None

    def __call__(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(signature_version=self._signature_version) if self._signature_version else None
            self._client = boto3.client(self._service_name, config=config)  # type: ignore[call-overload]
        return self._client
