"""An S3 client built on first use, signing with SigV4 so pre-signed links work in every region."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class LazyS3Client:
    def __init__(self) -> None:
        self._client: S3Client | None = None

    def __call__(self) -> S3Client:
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client("s3", config=Config(signature_version="s3v4"))
        return self._client
