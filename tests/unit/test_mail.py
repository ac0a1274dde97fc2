"""Composing invoice mail: headers, autoescape, the attachment, and the message identity."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest

from invoicing.errors import Unprocessable
from invoicing.invoices.enums import EventType, InvoiceStatus, InvoiceType
from invoicing.invoices.kernel import Actor
from invoicing.invoices.model import Customer, Invoice
from invoicing.mail.compose import PdfAttachment, Sender, compose_invoice_mail
from invoicing.mail.eligibility import ensure_mailable, invoice_recipient, why_not_mailable
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.retries import retry_delay
from invoicing.mail.trail import (
    cancelled_event_id,
    queued_event_id,
    record_mail_cancelled,
    record_mail_queued,
    record_mail_sent,
    sent_event_id,
)

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
PDF = PdfAttachment("invoice-2026-0001.pdf", b"%PDF-1.7 sample")


def invoice(**changes: object) -> Invoice:
    return Invoice(
        id="inv-1",
        tenantId="acme",
        status=InvoiceStatus.SENT,
        type=InvoiceType.MANUAL,
        currency="EUR",
        totalWithTax=Decimal("119.00"),
        total=Decimal("119.00"),
        created=NOW,
        createdBy="alice",
        updated=NOW,
        updatedBy="alice",
    ).model_copy(update={"invoiceNumber": "2026-0001", **changes})


def parsed(message: EmailMessage) -> EmailMessage:
    result = message_from_bytes(message.as_bytes(), policy=default)
    assert isinstance(result, EmailMessage)
    return result


def test_the_mail_has_text_and_html_alternatives_and_the_pdf_attached():
    mail = parsed(
        compose_invoice_mail(
            invoice(),
            sender=Sender("Acme GmbH", "invoices@example.com"),
            recipient="buyer@example.org",
            pdf=PDF,
        )
    )

    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    attachments = list(mail.iter_attachments())
    assert mail["To"] == "buyer@example.org"
    assert mail["From"] == "Acme GmbH <invoices@example.com>"
    assert mail["Subject"] == "Invoice 2026-0001 from Acme GmbH"
    assert text is not None
    assert "Total: €119.00" in text.get_content()
    assert html is not None
    assert "2026-0001" in html.get_content()
    assert [(part.get_filename(), part.get_content()) for part in attachments] == [
        ("invoice-2026-0001.pdf", b"%PDF-1.7 sample")
    ]


def test_no_field_can_add_a_header():
    sender = Sender("Acme\r\nBcc: victim@example.net", "invoices@example.com", reply_to="billing@acme.test")
    mail = parsed(
        compose_invoice_mail(
            invoice(invoiceNumber="1\nBcc: victim@example.net"),
            sender=sender,
            recipient="buyer@example.org",
            pdf=PDF,
        )
    )

    assert mail["Bcc"] is None
    assert mail.get_all("Subject") == ["Invoice 1 Bcc: victim@example.net from Acme Bcc: victim@example.net"]
    assert mail["Reply-To"] == '"Acme Bcc: victim@example.net" <billing@acme.test>'


def test_the_mail_body_is_escaped_in_html_and_verbatim_in_text():
    mail = parsed(
        compose_invoice_mail(
            invoice(mailBody="<script>alert(1)</script> & thanks"),
            sender=Sender("Acme", "invoices@example.com"),
            recipient="buyer@example.org",
            pdf=PDF,
        )
    )

    html = mail.get_body(("html",))
    text = mail.get_body(("plain",))
    assert html is not None
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; thanks" in html.get_content()
    assert "<script>" not in html.get_content()
    assert text is not None
    assert "<script>alert(1)</script> & thanks" in text.get_content()


def test_a_message_has_the_identity_of_its_invoice_kind_and_request():
    def message(kind: MailKind = MailKind.INVOICE, request_key: str = "key-1") -> OutboxMessage:
        return OutboxMessage("acme", "inv-1", kind, "buyer@example.org", request_key, "alice")

    assert message().message_id == message().message_id
    assert message().message_id != message(request_key="key-2").message_id
    assert message().message_id != message(kind=MailKind.COPY).message_id
    assert OutboxMessage.from_json(message().to_json()) == message()


def message(kind: MailKind = MailKind.INVOICE) -> OutboxMessage:
    return OutboxMessage("acme", "inv-1", kind, "buyer@example.org", "key-1", "alice")


def test_queued_invoice_mail_joins_sent_mails_and_a_reminder_the_reminders():
    actor = Actor("acme", "alice")

    mailed = record_mail_queued(invoice(sentMails=["first@example.org"]), message(), actor=actor, now=NOW)
    reminded = record_mail_queued(invoice(), message(MailKind.REMINDER), actor=actor, now=NOW)

    assert mailed.invoice.sentMails == ["first@example.org", "buyer@example.org"]
    assert (mailed.event.id, mailed.event.type) == (queued_event_id(message()), EventType.MAIL_QUEUED)
    assert [(item.createdBy, item.sentOn) for item in reminded.invoice.reminders] == [("alice", NOW)]
    assert reminded.invoice.sentMails == []


def test_a_sent_mail_is_one_event_named_after_its_message():
    reminder = message(MailKind.REMINDER)

    change = record_mail_sent(invoice(), reminder, "ses-1", actor=Actor("acme", "alice"), now=NOW)

    assert (change.event.id, change.event.type) == (
        sent_event_id(reminder.message_id),
        EventType.REMINDER_SENT,
    )
    assert "ses-1" in change.event.description


@pytest.mark.parametrize(
    ("status", "kind", "mailable"),
    [
        (InvoiceStatus.DRAFT, MailKind.INVOICE, False),
        (InvoiceStatus.CANCELLED, MailKind.COPY, False),
        (InvoiceStatus.SENT, MailKind.COPY, True),
        (InvoiceStatus.PAID, MailKind.INVOICE, True),
        (InvoiceStatus.PAID, MailKind.REMINDER, False),
        (InvoiceStatus.OVERDUE, MailKind.REMINDER, True),
    ],
)
def test_only_published_invoices_are_mailed_and_only_unpaid_ones_reminded(status, kind, mailable):
    if mailable:
        ensure_mailable(invoice(status=status), kind)
    else:
        with pytest.raises(Unprocessable):
            ensure_mailable(invoice(status=status), kind)


@pytest.mark.parametrize(
    ("status", "kind", "sendable"),
    [
        (InvoiceStatus.SENT, MailKind.REMINDER, True),
        (InvoiceStatus.PARTIALLY_PAID, MailKind.REMINDER, True),
        (InvoiceStatus.PAID, MailKind.REMINDER, False),
        (InvoiceStatus.CANCELLED, MailKind.REMINDER, False),
        (InvoiceStatus.CANCELLED, MailKind.INVOICE, False),
        (InvoiceStatus.CANCELLED, MailKind.COPY, False),
        (InvoiceStatus.PAID, MailKind.COPY, True),
    ],
)
def test_a_queued_mail_is_sent_only_while_the_invoice_still_allows_it(status, kind, sendable):
    assert (why_not_mailable(invoice(status=status), kind) is None) is sendable


def test_a_cancelled_mail_is_one_event_saying_why():
    reminder = message(MailKind.REMINDER)
    paid = invoice(status=InvoiceStatus.PAID)

    change = record_mail_cancelled(
        paid, reminder, "reminders go out for sent, unpaid invoices only", actor=Actor("acme", "w"), now=NOW
    )

    assert (change.event.id, change.event.type) == (
        cancelled_event_id(reminder.message_id),
        EventType.MAIL_CANCELLED,
    )
    assert change.event.description == (
        "Reminder to buyer@example.org was not sent: the invoice is PAID "
        "(reminders go out for sent, unpaid invoices only)."
    )


def test_the_recipient_is_the_contact_else_the_customer():
    assert invoice_recipient(invoice(contactEmail="ap@example.org")) == "ap@example.org"
    assert invoice_recipient(invoice(customer=Customer(email="c@example.org"))) == "c@example.org"
    with pytest.raises(Unprocessable):
        invoice_recipient(invoice())


def test_a_reminder_says_the_invoices_text_before_the_tenants():
    def reminder_text(**changes: object) -> str:
        mail = parsed(
            compose_invoice_mail(
                invoice(**changes),
                sender=Sender("Acme GmbH", "invoices@example.com"),
                recipient="buyer@example.org",
                pdf=PDF,
                kind=MailKind.REMINDER,
                default_reminder_body="Tenant text",
            )
        )
        assert mail["Subject"] == "Reminder: invoice 2026-0001 from Acme GmbH is due"
        body = mail.get_body(("plain",))
        assert body is not None
        return str(body.get_content())

    assert "Tenant text" in reminder_text()
    assert "Invoice text" in reminder_text(reminderBody="Invoice text")
    assert "Tenant text" not in reminder_text(reminderBody="Invoice text")


def test_retries_back_off_exponentially_up_to_a_quarter_of_an_hour():
    assert [retry_delay(attempt, 30) for attempt in (1, 2, 3, 4, 5, 6)] == [30, 60, 120, 240, 480, 900]
