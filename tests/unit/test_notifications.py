"""Notifications' pure parts: E.164 numbers, SMS segments and text, consent and the history entries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.errors import ValidationFailed
from invoicing.invoices.enums import EventType, InvoiceStatus, InvoiceType, NotificationChannel
from invoicing.invoices.kernel import Actor
from invoicing.invoices.model import Invoice
from invoicing.invoices.seed_views import history_entry
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.trail import record_mail_queued, record_mail_sent
from invoicing.notifications.phone import e164
from invoicing.notifications.requests import record_declined
from invoicing.notifications.sms import MAX_SEGMENTS, invoice_sms, is_gsm7, sms_segments

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
ACTOR = Actor("acme", "alice")
LINK = "https://api.example.com/i/Ab3dE5gH"


def invoice(**changes: object) -> Invoice:
    return Invoice(
        id="inv-1",
        tenantId="acme",
        status=InvoiceStatus.SENT,
        type=InvoiceType.MANUAL,
        currency="EUR",
        totalWithTax=Decimal("1234.50"),
        total=Decimal("1234.50"),
        created=NOW,
        createdBy="alice",
        updated=NOW,
        updatedBy="alice",
    ).model_copy(
        update={"invoiceNumber": "2026-0001", "dueDate": datetime(2026, 12, 22, tzinfo=UTC), **changes}
    )


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("+1 415 555 2671", "+14155552671"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+49 30 12345678", "+493012345678"),
        ("+44 7911 123456", "+447911123456"),
        (" +4915112345678 ", "+4915112345678"),
    ],
)
def test_a_number_is_normalised_to_e164(written, normalised):
    assert e164(written) == normalised


@pytest.mark.parametrize(
    "written", ["4155552671", "0049 30 12345678", "+1 415 555", "+49 call me", "+", "+999 1234567"]
)
def test_an_invalid_or_national_number_is_a_validation_error_naming_the_field(written):
    with pytest.raises(ValidationFailed) as refused:
        e164(written)
    assert "phoneNumber" in refused.value.field_errors


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # an extension character takes two septets
        ("€" * 81, 2),
        ("ü" * 160, 1),  # ü is GSM-7
        ("ł" * 70, 1),  # ł is not: UCS-2
        ("ł" * 71, 2),
        ("ł" * 134, 2),
        ("ł" * 135, 3),
    ],
)
def test_segments_follow_gsm7_and_ucs2(text, segments):
    assert sms_segments(text) == segments


def test_the_sms_names_the_seller_number_amount_due_date_and_link_in_gsm7():
    text = invoice_sms(invoice(locale="de"), seller_name="Acme Müller GmbH", link=LINK)

    assert text == f"Acme Müller GmbH: invoice 2026-0001, 1.234,50 € due 22.12.2026. Pay: {LINK}"
    assert is_gsm7(text)
    assert sms_segments(text) == 1


@given(st.text(min_size=1, max_size=300))
def test_any_seller_name_fits_in_two_segments_and_keeps_the_link(seller_name):
    text = invoice_sms(invoice(), seller_name=seller_name, link=LINK)

    assert sms_segments(text) <= MAX_SEGMENTS
    assert text.endswith(f"Pay: {LINK}")
    assert "2026-0001" in text


def test_without_a_link_the_sms_still_says_what_is_due():
    assert (
        invoice_sms(invoice(), seller_name="Acme", link=None)
        == "Acme: invoice 2026-0001, €1,234.50 due 2026-12-22."
    )


def message(kind: MailKind, recipient: str) -> OutboxMessage:
    return OutboxMessage("acme", "inv-1", kind, recipient, "key-1", "alice")


def test_a_declined_notification_is_recorded_with_its_channel_and_target_and_shows_in_the_history():
    sms = message(MailKind.SMS, "+14155552671")

    change = record_declined(invoice(), sms, actor=ACTOR, now=NOW)

    event = change.event
    assert (event.type, event.channel, event.recipient) == (
        EventType.NOTIFICATION_DECLINED,
        NotificationChannel.SMS,
        "+14155552671",
    )
    entry = history_entry(invoice(), event)
    assert (entry.notificationType, entry.notificationTypeId, entry.notificationTarget) == (
        "Sms",
        2,
        "+14155552671",
    )
    assert entry.errorCode == "NO_CONSENT"
    assert entry.notificationId == sms.message_id


def test_a_queued_sms_is_no_sent_mail_and_its_history_entry_is_an_sms():
    sms = message(MailKind.SMS, "+14155552671")

    queued = record_mail_queued(invoice(), sms, actor=ACTOR, now=NOW)
    sent = record_mail_sent(queued.invoice, sms, "sns-1", actor=ACTOR, now=NOW)

    assert queued.invoice.sentMails == []
    assert [queued.event.type, sent.event.type] == [
        EventType.SMS_QUEUED,
        EventType.SMS_SENT,
    ]
    assert "SNS message sns-1" in sent.event.description
    entry = history_entry(queued.invoice, queued.event)
    assert (entry.notificationType, entry.notificationTemplateType) == ("Sms", "Invoice")


def test_an_email_notification_is_an_email_in_the_history_with_its_receiver():
    mail = message(MailKind.NOTIFICATION, "accounts@buyer.example")

    event = record_mail_queued(invoice(), mail, actor=ACTOR, now=NOW).event

    entry = history_entry(invoice(), event)
    assert (entry.typeName, entry.notificationType, entry.notificationTarget) == (
        "MAIL_QUEUED",
        "Email",
        "accounts@buyer.example",
    )


def test_invoice_mail_events_stay_as_they_were():
    event = record_mail_queued(invoice(), message(MailKind.INVOICE, "b@x.test"), actor=ACTOR, now=NOW).event

    assert (event.channel, event.recipient) == (None, None)
    assert history_entry(invoice(), event).notificationType == "Email"
