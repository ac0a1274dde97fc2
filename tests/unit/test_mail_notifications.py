"""Reading SES notifications: which invoice mail they concern, and what became of it."""

from __future__ import annotations

import json

from invoicing.invoices.enums import EventType
from invoicing.mail.notifications import MailOutcome, parse_ses_notification

TAGS = {"tenant": ["acme"], "invoice": ["inv-1"], "mail": ["mail-1"]}


def notification(body: dict) -> str:
    return json.dumps({"mail": {"messageId": "ses-1", "tags": TAGS}, **body})


def test_a_hard_bounce_suppresses_each_bounced_recipient():
    parsed = parse_ses_notification(
        notification(
            {
                "eventType": "Bounce",
                "bounce": {
                    "bounceType": "Permanent",
                    "bounceSubType": "General",
                    "timestamp": "2026-11-22T10:00:00Z",
                    "bouncedRecipients": [
                        {"emailAddress": "gone@example.org", "diagnosticCode": "550 no user"}
                    ],
                },
            }
        )
    )

    assert parsed is not None
    assert (parsed.tenant_id, parsed.invoice_id, parsed.mail_id, parsed.ses_message_id) == (
        "acme",
        "inv-1",
        "mail-1",
        "ses-1",
    )
    assert parsed.outcomes == (
        MailOutcome(
            "gone@example.org",
            EventType.BOUNCED,
            "hard bounce (550 no user).",
            "hard bounce on 2026-11-22T10:00:00Z",
        ),
    )


def test_a_soft_bounce_is_recorded_but_suppresses_nothing():
    parsed = parse_ses_notification(
        notification(
            {
                "notificationType": "Bounce",
                "bounce": {
                    "bounceType": "Transient",
                    "bouncedRecipients": [{"emailAddress": "full@example.org"}],
                },
            }
        )
    )

    assert parsed is not None
    [outcome] = parsed.outcomes
    assert outcome.event_type is EventType.BOUNCED
    assert outcome.suppress_reason is None


def test_notifications_that_are_not_about_invoice_mail_are_ignored():
    untagged = json.dumps({"eventType": "Delivery", "mail": {"messageId": "x", "tags": {}}, "delivery": {}})
    unknown = notification({"eventType": "Open", "open": {}})

    assert parse_ses_notification(untagged) is None
    assert parse_ses_notification(unknown) is None
    assert parse_ses_notification("not json") is None
    assert parse_ses_notification("[]") is None
