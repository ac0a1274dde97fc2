"""Idempotency records' responses too large for a DynamoDB item, kept in the documents bucket.

Objects are keyed `idempotency/<tenantId>/<record>`: the tenant is part of the key, and the bucket's
lifecycle rule deletes `idempotency/` after a day, longer than a record lives (24 hours).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from invoicing.adapters.clients import LazyClient
from invoicing.errors import DependencyUnavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

KEPT_RESPONSES_PREFIX = "idempotency/"


class S3KeptResponses:
    def __init__(self, bucket: str) -> None:
        self._bucket = bucket
        self._s3: Callable[[], S3Client] = LazyClient("s3", signature_version="s3v4")

    def put(self, tenant_id: str, record: str, body: bytes) -> str:
        """Store `body` and return its key."""
        from botocore.exceptions import BotoCoreError, ClientError

        key = f"{KEPT_RESPONSES_PREFIX}{tenant_id}/{record}"
        try:
            self._s3().put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="application/zlib")
        except (BotoCoreError, ClientError) as error:
            raise DependencyUnavailable(f"Keeping the response failed: {error}") from error
        return key

    def get(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self._s3().get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except (BotoCoreError, ClientError) as error:
            raise DependencyUnavailable(f"Reading the kept response failed: {error}") from error
