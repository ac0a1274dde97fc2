"""An invoice's mail log, `sentMails` and `reminders`, as items of its partition beside its header.

`SENTMAIL#<version>` and `REMINDER#<version>` (10 digits) hold, as a JSON list, the entries the
change to that version added: the log grows without bound as events do, is read back by the same
Query as the header, and no change rewrites what is already stored. Headers written before kept
both lists in their document: such an invoice reads as before (header entries first), and its next
change moves them to version 0's items, so its header is small from then on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import PrivateAttr

from invoicing.invoices.model import Invoice

SENT_MAILS_PREFIX = "SENTMAIL#"
REMINDERS_PREFIX = "REMINDER#"
LOG_PREFIXES = (SENT_MAILS_PREFIX, REMINDERS_PREFIX)
#: the invoice fields the log holds, never written into the header
LOG_FIELDS = frozenset({"sentMails", "reminders"})
#: where entries an old header held go when its invoice next changes: before every change's
MOVED_FROM_HEADER = 0


class HeaderLoggedInvoice(Invoice):
    """An invoice read from a header that still holds (some of) its mail log."""

    #: how many of `sentMails` and of `reminders` came from the header
    _in_header: tuple[int, int] = PrivateAttr(default=(0, 0))


def _entries(items: Iterable[tuple[str, str]], prefix: str) -> list[Any]:
    return [entry for sk, doc in sorted(items) if sk.startswith(prefix) for entry in json.loads(doc)]


def read_invoice(document: dict[str, Any], log_items: Sequence[tuple[str, str]] | None) -> Invoice:
    """The invoice of a header `document` and its log items, as (sort key, doc) pairs.

    Without `log_items` (a listing, which reads headers only) the log is left out, as events are."""
    in_header = [document.pop(field, None) or [] for field in ("sentMails", "reminders")]
    if log_items is None:
        return Invoice.model_validate(document)
    document["sentMails"] = [*in_header[0], *_entries(log_items, SENT_MAILS_PREFIX)]
    document["reminders"] = [*in_header[1], *_entries(log_items, REMINDERS_PREFIX)]
    if not any(in_header):
        return Invoice.model_validate(document)
    invoice = HeaderLoggedInvoice.model_validate(document)
    invoice._in_header = (len(in_header[0]), len(in_header[1]))
    return invoice


def _dump(entries: Sequence[Any]) -> str:
    return json.dumps(entries, separators=(",", ":"), ensure_ascii=False)


def _logs(invoice: Invoice) -> tuple[list[Any], list[Any]]:
    return invoice.sentMails, [reminder.model_dump(mode="json") for reminder in invoice.reminders]


def log_items(invoice: Invoice, previous: Invoice | None) -> list[tuple[str, str]]:
    """The (sort key, doc) items a write of `invoice` (at its version) over `previous` adds.

    The log only grows: a change that drops or rewrites an entry is a programming error."""
    before = _logs(previous) if previous is not None else ([], [])
    in_header = previous._in_header if isinstance(previous, HeaderLoggedInvoice) else (0, 0)
    items: list[tuple[str, str]] = []
    for prefix, old, new, moved in zip(LOG_PREFIXES, before, _logs(invoice), in_header, strict=True):
        if new[: len(old)] != old:
            raise ValueError(f"Invoice {invoice.id}: sentMails and reminders can only grow.")
        if moved:
            items.append((f"{prefix}{MOVED_FROM_HEADER:010d}", _dump(old[:moved])))
        if len(new) > len(old):
            items.append((f"{prefix}{invoice.version:010d}", _dump(new[len(old) :])))
    return items
