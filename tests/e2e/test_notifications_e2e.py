"""Seed 003's notifications over the local stack: the routes, the worker on its queue, and the mail
(`outbox/*.eml`) and text messages (`outbox/sms/<message id>.json`) they leave."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from invoicing.notifications.sms import sms_segments
from tests.e2e.client import ApiClient, assert_problem
from tests.e2e.test_delivery_e2e import delivery_queue_drained, draft_for, eventually, one_mail_to, with_key

pytestmark = pytest.mark.e2e

TENANT = "notify-e2e"


@pytest.fixture(scope="module")
def client(client_for) -> ApiClient:
    return client_for(TENANT)


def published(client: ApiClient, contact: str) -> dict[str, Any]:
    sent = client.patch(f"/v1/invoices/{draft_for(client, contact)['id']}/mark-as-sent")
    assert sent.status == 200, sent.body
    return sent.json()


def texts_to(local_stack, number: str) -> list[dict[str, Any]]:
    folder: Path = local_stack.state_dir / "outbox" / "sms"
    texts = (
        [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    )
    return [text for text in texts if text["phoneNumber"] == number]


def history(client: ApiClient, invoice_id: str) -> list[dict[str, Any]]:
    return client.get(f"/v1/invoices/{invoice_id}").json()["history"]


def sms_history(client: ApiClient, invoice_id: str, awaited: str) -> list[str] | None:
    """The history's SMS entries by type, once one of them is `awaited`."""
    types = [entry["typeName"] for entry in history(client, invoice_id) if entry["notificationType"] == "Sms"]
    return types if awaited in types else None


def links(client: ApiClient, invoice_id: str) -> tuple[str | None, str | None]:
    view = client.get(f"/v1/invoices/{invoice_id}").json()
    return view["fullUrl"], view["shortUrl"]


def test_an_email_notification_is_mailed_with_the_hosted_link_and_recorded(client, local_stack):
    invoice = published(client, "ap.notify-mail@lodz.test")

    accepted = client.post(
        f"/v1/invoices/{invoice['id']}/notifications/email",
        {"receiverEmail": "payables@buyer.test", "customerConsent": True},
    )

    assert accepted.status == 202, accepted.body
    job = accepted.json()["job"]
    mail = one_mail_to(local_stack, "payables@buyer.test")
    assert mail["Subject"].startswith(f"Invoice {invoice['invoiceNumber']} from ")
    text = mail.get_body(("plain",))
    assert text is not None
    full_url, _ = links(client, invoice["id"])
    assert full_url
    assert f"View and pay it online: {full_url}" in text.get_content()
    html = mail.get_body(("html",))
    assert html is not None
    assert f'<a href="{full_url}">' in html.get_content()
    ours = [entry for entry in history(client, invoice["id"]) if entry["notificationId"] == job]
    entries = [entry for entry in ours if entry["typeName"] in {"MAIL_QUEUED", "MAIL_SENT"}]
    assert sorted(entry["typeName"] for entry in entries) == ["MAIL_QUEUED", "MAIL_SENT"]
    assert {(entry["notificationType"], entry["notificationTarget"]) for entry in entries} == {
        ("Email", "payables@buyer.test")
    }


def test_an_sms_is_one_message_of_at_most_two_segments_with_the_short_link(client, local_stack):
    invoice = published(client, "ap.notify-sms@lodz.test")

    accepted = client.post(
        f"/v1/invoices/{invoice['id']}/notifications/sms",
        {"phoneNumber": "+1 (415) 555-2672", "customerConsent": True},
    )

    assert accepted.status == 202, accepted.body
    assert accepted.json()["recipient"] == "+14155552672"
    [sms] = eventually(lambda: texts_to(local_stack, "+14155552672"), "the SMS in the outbox")
    assert set(sms) == {"phoneNumber", "message", "senderId", "time"}
    assert invoice["invoiceNumber"] in sms["message"]
    assert " due " in sms["message"]
    assert sms_segments(sms["message"]) <= 2
    _, short_url = links(client, invoice["id"])
    assert short_url
    assert sms["message"].endswith(f"Pay: {short_url}")
    types = eventually(lambda: sms_history(client, invoice["id"], "SMS_SENT"), "SMS_SENT in the history")
    assert types.count("SMS_QUEUED") == types.count("SMS_SENT") == 1


@pytest.mark.parametrize(
    ("channel", "body", "target"),
    [
        (
            "email",
            {"receiverEmail": "no-consent@buyer.test", "customerConsent": False},
            "no-consent@buyer.test",
        ),
        ("sms", {"phoneNumber": "+14155552673"}, "+14155552673"),
    ],
)
def test_without_consent_it_is_422_recorded_and_nothing_is_sent(client, local_stack, channel, body, target):
    invoice = published(client, f"ap.no-consent-{channel}@lodz.test")

    refused = client.post(f"/v1/invoices/{invoice['id']}/notifications/{channel}", body)

    problem = assert_problem(refused, 422)
    assert "customerConsent" in problem["errors"]
    [declined] = [
        entry for entry in history(client, invoice["id"]) if entry["typeName"] == "NOTIFICATION_DECLINED"
    ]
    assert declined["notificationTarget"] == target
    assert declined["errorCode"] == "NO_CONSENT"
    assert texts_to(local_stack, target) == []


@pytest.mark.parametrize(
    ("channel", "body"),
    [
        ("email", {"receiverEmail": "not an address", "customerConsent": True}),
        ("sms", {"phoneNumber": "555-2671", "customerConsent": True}),
        ("sms", {"phoneNumber": "+1 415 555", "customerConsent": True}),
    ],
)
def test_a_bad_address_or_number_is_400(client, channel, body):
    invoice = published(client, f"ap.bad-{channel}@lodz.test")

    assert_problem(client.post(f"/v1/invoices/{invoice['id']}/notifications/{channel}", body), 400)


@pytest.mark.parametrize(
    ("channel", "body"),
    [
        ("email", {"receiverEmail": "draft@buyer.test", "customerConsent": True}),
        ("sms", {"phoneNumber": "+14155552674", "customerConsent": True}),
    ],
)
def test_a_draft_is_409_available_only_for_published_invoices(client, local_stack, channel, body):
    draft = draft_for(client, f"ap.draft-{channel}@lodz.test")

    problem = assert_problem(client.post(f"/v1/invoices/{draft['id']}/notifications/{channel}", body), 409)

    assert "Available only for published invoices." in problem["detail"]
    assert texts_to(local_stack, "+14155552674") == []


def test_an_opted_out_number_is_422_and_never_texted(client, local_stack):
    invoice = published(client, "ap.opted-out@lodz.test")

    refused = client.post(
        f"/v1/invoices/{invoice['id']}/notifications/sms",
        {"phoneNumber": "+14155552699", "customerConsent": True},
    )

    problem = assert_problem(refused, 422)
    assert "opted out" in problem["detail"]
    assert texts_to(local_stack, "+14155552699") == []


def test_an_idempotency_key_repeat_sends_one_sms(client, local_stack):
    invoice = published(client, "ap.sms-twice@lodz.test")
    keyed = with_key(client, "notify-sms-twice-1")
    body = {"phoneNumber": "+14155552675", "customerConsent": True}

    first = keyed.post(f"/v1/invoices/{invoice['id']}/notifications/sms", body)
    again = keyed.post(f"/v1/invoices/{invoice['id']}/notifications/sms", body)

    assert first.status == again.status == 202
    assert first.json() == again.json()
    eventually(lambda: texts_to(local_stack, "+14155552675"), "the SMS in the outbox")
    eventually(lambda: delivery_queue_drained(local_stack), "the delivery queue to drain")
    assert len(texts_to(local_stack, "+14155552675")) == 1
