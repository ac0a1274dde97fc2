"""Exports too large for a Lambda response: written to the documents bucket, handed out by link.

Objects are keyed `exports/<tenantId>/<yyyy>/<mm>/<dd>/<uuid>.<extension>`: the tenant is part of
the key, the random part makes the link unguessable, and the bucket's lifecycle rule deletes
`exports/` after a day. The link is a pre-signed GET that lives LINK_LIFETIME.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from invoicing.adapters.clients import LazyClient
from invoicing.errors import DependencyUnavailable
from invoicing.links import DownloadLink

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

LINK_LIFETIME = timedelta(minutes=15)
EXPORTS_PREFIX = "exports/"


class S3Exports:
    def __init__(self, bucket: str, link_lifetime: timedelta = LINK_LIFETIME) -> None:
        self._bucket = bucket
        self._link_lifetime = link_lifetime
        self._s3: Callable[[], S3Client] = LazyClient("s3", signature_version="s3v4")

    def publish(
        self, tenant_id: str, body: bytes, *, content_type: str, file_name: str, now: datetime
    ) -> DownloadLink:
        """Store `body` and return a pre-signed link that downloads it as `file_name`."""
        from botocore.exceptions import BotoCoreError, ClientError

        extension = file_name.rsplit(".", 1)[-1]
        key = f"{EXPORTS_PREFIX}{tenant_id}/{now:%Y/%m/%d}/{uuid.uuid4()}.{extension}"
        s3 = self._s3()
        try:
            s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
                ContentDisposition=f'attachment; filename="{file_name}"',
            )
            url = s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": key},
                ExpiresIn=int(self._link_lifetime.total_seconds()),
            )
        except (BotoCoreError, ClientError) as error:
            raise DependencyUnavailable(f"Storing the export failed: {error}") from error
        return DownloadLink(url, now + self._link_lifetime)
