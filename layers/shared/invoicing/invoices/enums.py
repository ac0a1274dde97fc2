"""The enum values seed 001 leaves open, chosen once for the whole API (see ARCHITECTURE.md)."""

from __future__ import annotations

from enum import StrEnum


class InvoiceStatus(StrEnum):
    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    SENT = "SENT"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    OVERDUE = "OVERDUE"
    CANCELLED = "CANCELLED"
    #: a credit note: issued at once, nothing to pay, never changed
    ISSUED = "ISSUED"


# The status sets, each defined here once.
#: not issued yet: priced from their terms, deletable, numbered when they are published
UNPUBLISHED_STATUSES = frozenset({InvoiceStatus.DRAFT, InvoiceStatus.SCHEDULED})
#: published, not fully paid and not past due yet: OVERDUE once their due date has passed
DUE_STATUSES = frozenset({InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID})
#: published and not fully paid: what is left is outstanding, a payment or a reminder may come
OWED_STATUSES = DUE_STATUSES | {InvoiceStatus.OVERDUE}
#: seed 003's "published" invoices: their financial content is frozen; they may carry payments and
#: be credited
PUBLISHED_STATUSES = OWED_STATUSES | {InvoiceStatus.PAID}
#: published, and nothing paid yet
CANCELLABLE_STATUSES = frozenset({InvoiceStatus.SENT, InvoiceStatus.OVERDUE})
#: documents that were issued: numbered, their original PDF kept (cancelled invoices, credit notes)
ISSUED_STATUSES = PUBLISHED_STATUSES | {InvoiceStatus.CANCELLED, InvoiceStatus.ISSUED}


class InvoiceType(StrEnum):
    MANUAL = "MANUAL"
    RECURRING = "RECURRING"


class RowType(StrEnum):
    ITEM = "ITEM"
    SERVICE = "SERVICE"
    FEE = "FEE"
    TEXT = "TEXT"


class QuantityType(StrEnum):
    AMOUNT = "AMOUNT"
    HOURS = "HOURS"
    DAYS = "DAYS"
    MONTHS = "MONTHS"
    KILOGRAMS = "KILOGRAMS"
    LITERS = "LITERS"
    METERS = "METERS"


class AttachmentType(StrEnum):
    IMAGE = "IMAGE"
    PDF = "PDF"
    DOCUMENT = "DOCUMENT"
    SPREADSHEET = "SPREADSHEET"
    OTHER = "OTHER"


class DocumentType(StrEnum):
    """An invoice, or a credit note correcting one (EN 16931 BT-3: 380 and 381)."""

    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"


class PdfRendition(StrEnum):
    """Which PDF of an invoice: a draft's PREVIEW (stamped DRAFT, replaced as the draft changes), the
    ORIGINAL a published invoice was issued with (rendered once, never again), or its PAID copy."""

    PREVIEW = "PREVIEW"
    ORIGINAL = "ORIGINAL"
    PAID = "PAID"


class EventType(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    ROW_ADDED = "ROW_ADDED"
    ROW_REMOVED = "ROW_REMOVED"
    COMMENT = "COMMENT"
    OPPORTUNITY_LINKED = "OPPORTUNITY_LINKED"
    STATUS_CHANGED = "STATUS_CHANGED"
    PAYMENT_ADDED = "PAYMENT_ADDED"
    PAYMENT_REMOVED = "PAYMENT_REMOVED"
    PDF_GENERATED = "PDF_GENERATED"
    ATTACHMENT_ADDED = "ATTACHMENT_ADDED"
    ATTACHMENT_REMOVED = "ATTACHMENT_REMOVED"
    MAIL_QUEUED = "MAIL_QUEUED"
    MAIL_SENT = "MAIL_SENT"
    REMINDER_SENT = "REMINDER_SENT"
    #: the overdue job reached (or planned) a step of the tenant's reminder cadence
    REMINDER_STEP = "REMINDER_STEP"
    DELIVERED = "DELIVERED"
    BOUNCED = "BOUNCED"
    COMPLAINED = "COMPLAINED"
    DELIVERY_FAILED = "DELIVERY_FAILED"
    MAIL_CANCELLED = "MAIL_CANCELLED"
    CREDIT_NOTE_ISSUED = "CREDIT_NOTE_ISSUED"
    #: a card or ACH payment the processor declined or returned, or that awaits its settlement
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PAYMENT_PENDING = "PAYMENT_PENDING"
    PAYMENT_RETURNED = "PAYMENT_RETURNED"
    #: the customer opened the hosted page (once a day at most)
    VIEWED = "VIEWED"
    #: a text message to the customer queued, then handed to SNS
    SMS_QUEUED = "SMS_QUEUED"
    SMS_SENT = "SMS_SENT"
    #: a notification asked for without the customer's consent: recorded, never sent
    NOTIFICATION_DECLINED = "NOTIFICATION_DECLINED"


class NotificationChannel(StrEnum):
    """How a notification reaches the customer (an event's `channel`)."""

    EMAIL = "EMAIL"
    SMS = "SMS"


class PaymentMethod(StrEnum):
    CREDIT_CARD = "CREDIT_CARD"
    DEBIT_CARD = "DEBIT_CARD"
    ACH = "ACH"
    BANK_TRANSFER = "BANK_TRANSFER"
    CASH = "CASH"
    CHECK = "CHECK"
    OTHER = "OTHER"
