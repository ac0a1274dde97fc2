"""Invoice PDFs, attachments and PDF themes in the private documents bucket.

Keys start with the tenant, so a request can only ever address its own tenant's objects:
- `tenants/<t>/invoices/<id>/pdf/<fingerprint>.pdf`   a rendered PDF, named by its content hash
- `tenants/<t>/invoices/<id>/attachments/<blobId>`     an attached file
- `themes/<t>/theme.json`, `themes/<t>/logo`            the tenant's PDF theme (see documents.theme)

Callers name invoices and blobs; only this module builds keys. A PDF object is written once
(If-None-Match) with its SHA-256 checksum: what was published is never overwritten. The bucket is
versioned, so deleting removes every version, not just the current one.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from invoicing.adapters.clients import LazyClient
from invoicing.errors import DependencyUnavailable, NotFound
from invoicing.links import DownloadLink

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

LINK_LIFETIME = timedelta(minutes=5)
PDF_CONTENT_TYPE = "application/pdf"
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def _invoice_prefix(tenant_id: str, invoice_id: str) -> str:
    return f"tenants/{tenant_id}/invoices/{invoice_id}/"


def _pdf_key(tenant_id: str, invoice_id: str, fingerprint: str) -> str:
    return f"{_invoice_prefix(tenant_id, invoice_id)}pdf/{fingerprint}.pdf"


def _attachment_key(tenant_id: str, invoice_id: str, blob_id: str) -> str:
    return f"{_invoice_prefix(tenant_id, invoice_id)}attachments/{blob_id}"


def _checksum(content: bytes) -> str:
    return base64.b64encode(hashlib.sha256(content).digest()).decode()


def _failure(action: str, error: Exception) -> DependencyUnavailable:
    return DependencyUnavailable(f"{action} failed: {error}")


class S3DocumentStore:
    def __init__(self, bucket: str, link_lifetime: timedelta = LINK_LIFETIME) -> None:
        self._bucket = bucket
        self._link_lifetime = link_lifetime
        self._s3: Callable[[], S3Client] = LazyClient("s3", signature_version="s3v4")

    def put_invoice_pdf(
        self, tenant_id: str, invoice_id: str, blob_id: str, content: bytes, file_name: str
    ) -> None:
        """Write an invoice's PDF once, shown inline as `file_name`; an existing object under the same
        content-hash key is the same PDF."""
        from botocore.exceptions import BotoCoreError, ClientError

        from invoicing.documents.files import content_disposition

        try:
            self._s3().put_object(
                Bucket=self._bucket,
                Key=_pdf_key(tenant_id, invoice_id, blob_id),
                Body=content,
                ContentType=PDF_CONTENT_TYPE,
                ContentDisposition=content_disposition(file_name, "inline"),
                ChecksumSHA256=_checksum(content),
                IfNoneMatch="*",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "PreconditionFailed":
                raise _failure("Storing the PDF", error) from error
        except BotoCoreError as error:
            raise _failure("Storing the PDF", error) from error

    def read_invoice_pdf(self, tenant_id: str, invoice_id: str, blob_id: str) -> bytes | None:
        """An invoice PDF's bytes, or None if it is gone."""
        return self._read(_pdf_key(tenant_id, invoice_id, blob_id))

    def invoice_pdf_link(self, tenant_id: str, invoice_id: str, blob_id: str, now: datetime) -> DownloadLink:
        """A pre-signed GET of an invoice PDF; NotFound if it is gone."""
        return self._link(_pdf_key(tenant_id, invoice_id, blob_id), now)

    def delete_invoice_pdf(self, tenant_id: str, invoice_id: str, blob_id: str) -> None:
        """Delete every version of an invoice PDF."""
        self._delete_versions(_pdf_key(tenant_id, invoice_id, blob_id))

    def put_attachment(
        self,
        tenant_id: str,
        invoice_id: str,
        blob_id: str,
        content: bytes,
        *,
        content_type: str,
        file_name: str,
    ) -> None:
        """Store an attached file, downloaded as `file_name`."""
        from botocore.exceptions import BotoCoreError, ClientError

        from invoicing.documents.files import content_disposition

        try:
            self._s3().put_object(
                Bucket=self._bucket,
                Key=_attachment_key(tenant_id, invoice_id, blob_id),
                Body=content,
                ContentType=content_type,
                ContentDisposition=content_disposition(file_name),
                ChecksumSHA256=_checksum(content),
            )
        except (BotoCoreError, ClientError) as error:
            raise _failure("Storing the attachment", error) from error

    def attachment_link(self, tenant_id: str, invoice_id: str, blob_id: str, now: datetime) -> DownloadLink:
        """A pre-signed GET of an attached file; NotFound if it is gone."""
        return self._link(_attachment_key(tenant_id, invoice_id, blob_id), now)

    def delete_attachment(self, tenant_id: str, invoice_id: str, blob_id: str) -> None:
        """Delete every version of an attached file."""
        self._delete_versions(_attachment_key(tenant_id, invoice_id, blob_id))

    def delete_invoice_files(self, tenant_id: str, invoice_id: str) -> None:
        """Delete every version of every PDF and attachment of an invoice."""
        self._delete_versions(_invoice_prefix(tenant_id, invoice_id))

    def theme(self, tenant_id: str) -> tuple[bytes | None, bytes | None]:
        """The tenant's theme document and logo, each None if the tenant has none."""
        return self._read(f"themes/{tenant_id}/theme.json"), self._read(f"themes/{tenant_id}/logo")

    def _read(self, key: str) -> bytes | None:
        """The object's bytes, or None if there is none."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self._s3().get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise _failure("Reading a document", error) from error
        except BotoCoreError as error:
            raise _failure("Reading a document", error) from error

    def _link(self, key: str, now: datetime) -> DownloadLink:
        """A pre-signed GET that expires within minutes; NotFound if the object is gone."""
        from botocore.exceptions import BotoCoreError, ClientError

        s3 = self._s3()
        try:
            s3.head_object(Bucket=self._bucket, Key=key)
            url = s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": key},
                ExpiresIn=int(self._link_lifetime.total_seconds()),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                raise NotFound("The document's file no longer exists.") from error
            raise _failure("Signing a download link", error) from error
        except BotoCoreError as error:
            raise _failure("Signing a download link", error) from error
        return DownloadLink(url, now + self._link_lifetime)

    def _delete_versions(self, prefix: str) -> None:
        """Delete every version of every object under `prefix` (one key or an invoice's folder)."""
        from botocore.exceptions import BotoCoreError, ClientError

        s3 = self._s3()
        try:
            pages = s3.get_paginator("list_object_versions").paginate(Bucket=self._bucket, Prefix=prefix)
            for page in pages:
                targets: list[ObjectIdentifierTypeDef] = [
                    {"Key": item["Key"], "VersionId": item["VersionId"]}
                    for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                ]
                if targets:
                    s3.delete_objects(Bucket=self._bucket, Delete={"Objects": targets, "Quiet": True})
        except (BotoCoreError, ClientError) as error:
            raise _failure("Deleting documents", error) from error
