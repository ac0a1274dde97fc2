"""Sending composed mail through SES (`SendRawEmail`, so the PDF travels as a MIME part)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import TYPE_CHECKING

from invoicing.errors import DependencyUnavailable

if TYPE_CHECKING:
    from mypy_boto3_ses import SESClient


class SesMailSender:
    def __init__(self) -> None:
        self._client: SESClient | None = None

    def _ses(self) -> SESClient:
        if self._client is None:
            import boto3

            self._client = boto3.client("ses")
        return self._client

    def send(self, message: EmailMessage, source: str, recipient: str) -> str:
        """Hand the message to SES and answer the message id SES gave it."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._ses().send_raw_email(
                Source=source, Destinations=[recipient], RawMessage={"Data": message.as_bytes()}
            )
        except (BotoCoreError, ClientError) as error:
            raise DependencyUnavailable(f"Sending the mail failed: {error}") from error
        return response["MessageId"]
