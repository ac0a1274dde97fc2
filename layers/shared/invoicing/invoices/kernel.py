"""The invoice change kernel: who changes an invoice, and the change (the next invoice and the one
event that records it) that storage writes in one conditional transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from invoicing.invoices.enums import EventType
from invoicing.invoices.model import Event, Invoice


@dataclass(frozen=True)
class Actor:
    """Who makes a change, for `createdBy`/`updatedBy` and the audit trail."""

    tenant_id: str
    subject: str


@dataclass(frozen=True)
class Change:
    invoice: Invoice
    event: Event


NewId = Callable[[], str]
#: a change applied to the invoice as read, by an actor (handlers pass these to the repository)
ChangeFunction = Callable[[Invoice, Actor], Change]


def new_id() -> str:
    return str(uuid.uuid4())


def new_event(actor: Actor, now: datetime, event_type: EventType, description: str, make_id: NewId) -> Event:
    return Event(id=make_id(), type=event_type, date=now, authorId=actor.subject, description=description)
