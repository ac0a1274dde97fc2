"""An outbox message: one mail to send, with an identity derived from what asked for it.

The same invoice, kind and request (idempotency key or request id) always give the same message id,
so a retried request or a redelivered queue message addresses the same mail item, never a new one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from enum import StrEnum


class MailKind(StrEnum):
    INVOICE = "INVOICE"
    COPY = "COPY"
    REMINDER = "REMINDER"
    #: seed 003's e-mail notification: the invoice's mail with its hosted link, to any address
    NOTIFICATION = "NOTIFICATION"
    #: seed 003's SMS notification: a text message to an E.164 number (`recipient`)
    SMS = "SMS"


def mail_message_id(tenant_id: str, invoice_id: str, kind: MailKind, request_key: str) -> str:
    digest = hashlib.sha256("\x1f".join((tenant_id, invoice_id, kind, request_key)).encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class OutboxMessage:
    tenant_id: str
    invoice_id: str
    kind: MailKind
    recipient: str
    request_key: str
    requested_by: str
    #: a PDF the client sent with the request, attached instead of the invoice's own
    client_pdf_blob_id: str | None = None

    @property
    def message_id(self) -> str:
        return mail_message_id(self.tenant_id, self.invoice_id, self.kind, self.request_key)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, body: str) -> OutboxMessage:
        fields = json.loads(body)
        return cls(**{**fields, "kind": MailKind(fields["kind"])})
