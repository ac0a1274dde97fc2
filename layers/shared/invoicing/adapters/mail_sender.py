"""Sending composed mail through SES (`SendRawEmail`, so the PDF travels as a MIME part).

Each mail carries message tags (tenant, invoice, mail id) and, when configured, the configuration set
whose event destination reports deliveries, bounces and complaints with those tags. The client
retries once in-process; longer outages are the queue's business (backoff, then the DLQ).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from invoicing.adapters.clients import LazyClient
from invoicing.errors import DependencyUnavailable

if TYPE_CHECKING:
    from mypy_boto3_ses import SESClient


class SesMailSender:
    def __init__(self, configuration_set: str | None = None) -> None:
        self._configuration_set = configuration_set
        self._ses: Callable[[], SESClient] = LazyClient("ses", max_attempts=2)

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
