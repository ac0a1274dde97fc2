"""Sending composed mail through SES (`SendRawEmail`, so the PDF travels as a MIME part).

Each mail carries message tags (tenant, invoice, mail id) and, when configured, the configuration set
whose event destination reports deliveries, bounces and complaints with those tags. The client
retries once in-process; longer outages are the queue's business (backoff, then the DLQ).
"""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from invoicing.errors import DependencyUnavailable

if TYPE_CHECKING:
    from mypy_boto3_ses import SESClient


class SesMailSender:
    def __init__(self, configuration_set: str | None = None) -> None:
        self._configuration_set = configuration_set
        self._client: SESClient | None = None

    def _ses(self) -> SESClient:
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client("ses", config=Config(retries={"mode": "standard", "max_attempts": 2}))
        return self._client

    def send(
        self, message: EmailMessage, source: str, recipient: str, *, tags: Mapping[str, str] | None = None
    ) -> str:
        """Hand the message to SES and answer the message id SES gave it."""
        from botocore.exceptions import BotoCoreError, ClientError

        request: dict[str, Any] = {
            "Source": source,
            "Destinations": [recipient],
            "RawMessage": {"Data": message.as_bytes()},
            "Tags": [{"Name": name, "Value": value} for name, value in (tags or {}).items()],
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            response = self._ses().send_raw_email(**request)
        except (BotoCoreError, ClientError) as error:
            raise DependencyUnavailable(f"Sending the mail failed: {error}") from error
        return response["MessageId"]
