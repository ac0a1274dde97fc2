"""The SMS outbox: every text message published through moto's SNS to a phone number is written to
`<state dir>/outbox/sms/<message id>.json` as `{"phoneNumber", "message", "senderId", "time"}`.

Moto keeps the number and the text; the sender id is read from the `Publish` request itself (its
`AWS.SNS.SMS.SenderID` message attribute) as it passes through moto.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from devtools.stack.console import say_from
from devtools.stack.outbox import WSGIEnviron, read_body

SENDER_ID_ATTRIBUTE = "AWS.SNS.SMS.SenderID"


def sns_backends() -> list[Any]:
    from moto.sns.models import sns_backends

    return [backend for account in list(sns_backends.values()) for backend in list(account.values())]


def publish_to_phone(environ: WSGIEnviron) -> dict[str, str] | None:
    """The parameters of an SNS `Publish` to a phone number (query protocol), or None."""
    if environ.get("REQUEST_METHOD") != "POST":
        return None
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return None
    params = {
        key: values[0] for key, values in parse_qs(read_body(environ).decode("utf-8", "replace")).items()
    }
    if params.get("Action") != "Publish" or not params.get("PhoneNumber"):
        return None
    return params


def sender_id(params: dict[str, str]) -> str | None:
    """The `AWS.SNS.SMS.SenderID` attribute among `MessageAttributes.entry.<n>.Name/Value.StringValue`."""
    for key, value in params.items():
        if (
            key.startswith("MessageAttributes.entry.")
            and key.endswith(".Name")
            and value == SENDER_ID_ATTRIBUTE
        ):
            return params.get(f"{key.removesuffix('.Name')}.Value.StringValue")
    return None


class SmsOutbox:
    """Writes each text message moto's SNS backends accept to `directory` (called under moto's lock)."""

    def __init__(self, directory: Path, backends: Callable[[], list[Any]] = sns_backends) -> None:
        self.directory = directory
        self._backends = backends
        self._written: set[str] = set()

    def observe(self, environ: WSGIEnviron) -> Callable[[], None]:
        """Before a request reaches moto; returns what to do once moto answered it."""
        params = publish_to_phone(environ)
        if params is None:
            return lambda: None
        return lambda: self._collect(sender_id(params))

    def _collect(self, sender: str | None) -> None:
        for backend in self._backends():
            for message_id, (phone_number, message) in list(backend.sms_messages.items()):
                if message_id not in self._written:
                    self._write(message_id, phone_number, message, sender)

    def _write(self, message_id: str, phone_number: str, message: str, sender: str | None) -> None:
        self._written.add(message_id)
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{message_id}.json"
        record = {
            "phoneNumber": phone_number,
            "message": message,
            "senderId": sender,
            "time": f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%S.%f}Z",
        }
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        say_from("outbox", f"{path}")
