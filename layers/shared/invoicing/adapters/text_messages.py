"""Text messages through SNS: `Publish` to a phone number, and the account's opt-out list.

A number that replies STOP lands on the account's opt-out list (SNS keeps it), which
`CheckIfPhoneNumberIsOptedOut` reads: the route refuses such a number and the worker skips it.
Messages are Transactional (delivered for reliability, not price). The client retries once
in-process; longer outages are the delivery queue's business (backoff, then the DLQ).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from invoicing.adapters.clients import LazyClient
from invoicing.errors import DependencyUnavailable, ValidationFailed

_REJECTED_INPUT = {"InvalidParameter", "InvalidParameterValue"}


def _string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


class SnsTextMessages:
    def __init__(self) -> None:
        self._sns: Callable[[], Any] = LazyClient("sns", max_attempts=2)

    def _call(self, what: str, operation: str, **request: Any) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response: dict[str, Any] = getattr(self._sns(), operation)(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _REJECTED_INPUT:
                raise ValidationFailed(
                    f"SNS refused {what}: {error}", field_errors={"phoneNumber": [code]}
                ) from error
            raise DependencyUnavailable(f"{what.capitalize()} failed: {error}") from error
        except BotoCoreError as error:
            raise DependencyUnavailable(f"{what.capitalize()} failed: {error}") from error
        return response

    def is_opted_out(self, phone_number: str) -> bool:
        response = self._call(
            "checking the SMS opt-out list", "check_if_phone_number_is_opted_out", phoneNumber=phone_number
        )
        return bool(response.get("isOptedOut"))

    def publish(self, phone_number: str, text: str, *, sender_id: str | None) -> str:
        attributes = {"AWS.SNS.SMS.SMSType": _string("Transactional")}
        if sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = _string(sender_id)
        response = self._call(
            "sending the text message",
            "publish",
            PhoneNumber=phone_number,
            Message=text,
            MessageAttributes=attributes,
        )
        return str(response["MessageId"])
