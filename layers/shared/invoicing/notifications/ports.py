"""What notifications need from SNS (the adapter is `invoicing.adapters.text_messages`)."""

from __future__ import annotations

from typing import Protocol


class OptOutList(Protocol):
    """The account's SMS opt-out list: numbers that replied STOP (or were opted out) are on it."""

    def is_opted_out(self, phone_number: str) -> bool: ...


class TextMessages(OptOutList, Protocol):
    """Sends one text message to an E.164 number and answers SNS's message id."""

    def publish(self, phone_number: str, text: str, *, sender_id: str | None) -> str: ...
