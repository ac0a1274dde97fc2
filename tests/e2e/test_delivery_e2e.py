"""Invoice mail over the local stack: the routes, the worker on its queue, SES's notifications and
the `.eml` files of the outbox."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import time
import uuid
from collections.abc import Callable
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import boto3
import pytest
from pypdf import PdfReader

from devtools.stack.testing import run_admin
from devtools.template import REGION, local_deployment
from invoicing.mail.message import MailKind, OutboxMessage
from tests.e2e.client import ApiClient, assert_problem
from tests.e2e.test_documents_e2e import INVOICE

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 30.0


def mails_to(outbox: Path, recipient: str) -> list[EmailMessage]:
    mails = [message_from_bytes(path.read_bytes(), policy=default) for path in sorted(outbox.glob("*.eml"))]
    return [mail for mail in mails if isinstance(mail, EmailMessage) and mail["To"] == recipient]


def eventually[T](probe: Callable[[], T | None], what: str) -> T:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def delivery_queue_drained(local_stack) -> bool:
    sqs = boto3.client("sqs", endpoint_url=local_stack.moto_endpoint, region_name=REGION)
    queue_url = sqs.get_queue_url(QueueName=local_deployment().physical_name("DeliveryQueue"))["QueueUrl"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return all(attributes[name] == "0" for name in names)


def one_mail_to(local_stack, recipient: str) -> EmailMessage:
    """The one mail to `recipient`, once the worker sent it and the queue holds nothing that could
    send a second."""
    outbox = local_stack.state_dir / "outbox"
    [mail] = eventually(lambda: mails_to(outbox, recipient), f"a mail to {recipient}")
    eventually(lambda: delivery_queue_drained(local_stack), "the delivery queue to drain")
    assert len(mails_to(outbox, recipient)) == 1
    return mail


def event_types(client: ApiClient, invoice_id: str) -> list[str]:
    return [event["type"] for event in client.get(f"/v1/invoices/find/{invoice_id}").json()["events"]]


def wait_for_event(client: ApiClient, invoice_id: str, event_type: str) -> list[str]:
    return eventually(
        lambda: (types := event_types(client, invoice_id)) and event_type in types and types,
        f"{event_type} on invoice {invoice_id}",
    )


def pdf_text(mail: EmailMessage) -> str:
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(attachment.get_content())).pages)


def draft_for(client: ApiClient, contact: str) -> dict[str, Any]:
    return client.post("/v1/invoices", {**INVOICE, "contactEmail": contact}).json()


def with_key(client: ApiClient, key: str) -> ApiClient:
    return dataclasses.replace(client, extra_headers={**client.extra_headers, "Idempotency-Key": key})


def test_send_publishes_the_draft_and_mails_it_with_its_pdf(client_for, local_stack):
    client = client_for("e2e-send")
    draft = draft_for(client, "ap.send@lodz.test")

    response = client.post(f"/v1/invoices/{draft['id']}/send")

    sent = response.json()
    assert response.status == 200
    assert sent["status"] == "SENT"
    assert sent["sentMails"] == ["ap.send@lodz.test"]
    mail = one_mail_to(local_stack, "ap.send@lodz.test")
    assert mail["Subject"] == f"Invoice {sent['invoiceNumber']} from e2e-send"
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None
    assert f"Total: €{sent['total']:,.2f}" in text.get_content()
    assert html is not None
    assert sent["invoiceNumber"] in html.get_content()
    assert sent["invoiceNumber"] in pdf_text(mail)
    assert f"€{sent['totalWithTax']:,.2f}" in pdf_text(mail)
    types = wait_for_event(client, draft["id"], "DELIVERED")
    assert types.count("MAIL_QUEUED") == types.count("MAIL_SENT") == 1


def test_send_attaches_the_clients_own_pdf(client_for, local_stack):
    client = client_for("e2e-send-own")
    draft = draft_for(client, "ap.own@lodz.test")
    own = b"%PDF-1.4\n% rendered by the client\n" + uuid.uuid4().bytes + b"\n%%EOF\n"
    boundary = "e2e-send-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="pdf"; filename="mine.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + own
        + f"\r\n--{boundary}--\r\n".encode()
    )
    multipart = dataclasses.replace(
        client, extra_headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )

    response = multipart.request("POST", f"/v1/invoices/{draft['id']}/send", raw=body)

    assert response.status == 200, response.body
    [attachment] = list(one_mail_to(local_stack, "ap.own@lodz.test").iter_attachments())
    assert attachment.get_content() == own


def test_a_copy_goes_to_the_given_address(client_for, local_stack):
    client = client_for("e2e-copies")
    client_id = client.get("/v1/me").json()["clientId"]
    sent = client.patch(f"/v1/invoices/{draft_for(client, 'ap.copies@lodz.test')['id']}/mark-as-sent").json()
    path = f"/v1/clients/{client_id}/invoices/{sent['invoiceNumber']}/copies"

    accepted = client.post(path, {"recipient": {"email": "auditor@copies.test"}})
    other_client = client.post(
        f"/v1/clients/{client_id + 1000}/invoices/{sent['invoiceNumber']}/copies",
        {"recipient": {"email": "auditor@copies.test"}},
    )
    unknown = client.post(
        f"/v1/clients/{client_id}/invoices/NO-SUCH-NUMBER/copies", {"recipient": {"email": "a@copies.test"}}
    )
    malformed = client.post(path, {"recipient": "auditor@copies.test"})

    assert accepted.status == 202
    mail = one_mail_to(local_stack, "auditor@copies.test")
    assert mail["Subject"] == f"Copy of invoice {sent['invoiceNumber']} from e2e-copies"
    assert sent["invoiceNumber"] in pdf_text(mail)
    assert_problem(other_client, 403)
    assert_problem(unknown, 404)
    assert_problem(malformed, 400)
    assert mails_to(local_stack.state_dir / "outbox", "ap.copies@lodz.test") == []


def test_resend_invoice_with_one_idempotency_key_twice_is_one_mail(client_for, local_stack):
    client = client_for("e2e-resend")
    sent = client.patch(f"/v1/invoices/{draft_for(client, 'ap.resend@lodz.test')['id']}/mark-as-sent").json()
    secret = run_admin(local_stack, "create-api-key", "--tenant", "e2e-resend").splitlines()[-1]
    basic = ApiClient(local_stack.base_url, f"Basic {base64.b64encode(secret.encode()).decode()}")
    keyed = with_key(basic, str(uuid.uuid4()))
    path = f"/v1/invoices/{sent['invoiceNumber']}/resendInvoice"

    first = keyed.post(path, {"data": "123"})
    again = keyed.post(path, {"data": "123"})
    other_body = keyed.post(path, {"data": "456"})

    assert first.status == again.status == 200
    assert first.json() == again.json()
    assert first.json()["result"] == "OK"
    assert first.json()["resultcode"] == "0"
    assert_problem(other_body, 422)
    one_mail_to(local_stack, "ap.resend@lodz.test")


def test_a_send_ses_rejects_is_retried_and_delivered_once(client_for, local_stack):
    client = client_for("e2e-ses-fault")
    draft = draft_for(client, "ap.fault@lodz.test")
    faults = local_stack.state_dir / "faults" / "ses.json"
    faults.parent.mkdir(exist_ok=True)
    faults.write_text(json.dumps({"SendRawEmail": 3}))

    client.post(f"/v1/invoices/{draft['id']}/send")

    mail = one_mail_to(local_stack, "ap.fault@lodz.test")
    assert json.loads(faults.read_text()) == {"SendRawEmail": 0}
    assert mail["Subject"].startswith("Invoice ")
    assert event_types(client, draft["id"]).count("MAIL_SENT") == 1


def test_a_worker_run_twice_on_the_same_message_sends_once(client_for, local_stack):
    client = client_for("e2e-mail")
    invoice = client.patch(
        f"/v1/invoices/{draft_for(client, 'ap.twice@lodz.test')['id']}/mark-as-sent"
    ).json()
    message = OutboxMessage(
        "e2e-mail", invoice["id"], MailKind.INVOICE, "ap.twice@lodz.test", str(uuid.uuid4()), "e2e"
    )
    sqs = boto3.client("sqs", endpoint_url=local_stack.moto_endpoint, region_name=REGION)
    queue_url = sqs.get_queue_url(QueueName=local_deployment().physical_name("DeliveryQueue"))["QueueUrl"]

    for _ in range(2):
        sqs.send_message(QueueUrl=queue_url, MessageBody=message.to_json())

    one_mail_to(local_stack, "ap.twice@lodz.test")
    assert event_types(client, invoice["id"]).count("MAIL_SENT") == 1


def test_a_bounced_address_is_marked_and_not_mailed_again(client_for, local_stack):
    client = client_for("e2e-bounce")
    draft = draft_for(client, "bounce@simulator.amazonses.com")

    client.post(f"/v1/invoices/{draft['id']}/send")
    wait_for_event(client, draft["id"], "BOUNCED")
    again = client.post(f"/v1/invoices/{draft['id']}/send-reminder")
    changed = client.patch(f"/v1/invoices/{draft['id']}/update", {"contactEmail": "ap.fixed@lodz.test"})
    reminded = client.post(f"/v1/invoices/{draft['id']}/send-reminder")

    problem = assert_problem(again, 422)
    assert "hard bounce" in problem["detail"]
    assert changed.status == 200, changed.body
    assert reminded.status == 200
    mail = one_mail_to(local_stack, "ap.fixed@lodz.test")
    assert mail["Subject"].startswith("Reminder: invoice ")
    assert len(mails_to(local_stack.state_dir / "outbox", "bounce@simulator.amazonses.com")) == 1


def test_a_reminder_queued_before_the_invoice_was_paid_is_given_up_not_sent(client_for, local_stack):
    client = client_for("e2e-paid-reminder")
    sent = client.patch(f"/v1/invoices/{draft_for(client, 'ap.paid@lodz.test')['id']}/mark-as-sent").json()
    faults = local_stack.state_dir / "faults" / "ses.json"
    faults.parent.mkdir(exist_ok=True)
    faults.write_text(json.dumps({"SendRawEmail": 3}))
    try:
        reminded = client.post(f"/v1/invoices/{sent['id']}/send-reminder")
        paid = client.patch(f"/v1/invoices/{sent['id']}/mark-as-paid")

        types = wait_for_event(client, sent["id"], "MAIL_CANCELLED")
        eventually(lambda: delivery_queue_drained(local_stack), "the delivery queue to drain")
    finally:
        faults.write_text(json.dumps({"SendRawEmail": 0}))

    assert reminded.status == 200
    assert paid.json()["status"] == "PAID"
    assert "REMINDER_SENT" not in types
    assert mails_to(local_stack.state_dir / "outbox", "ap.paid@lodz.test") == []
    [cancelled] = [
        event
        for event in client.get(f"/v1/invoices/find/{sent['id']}").json()["events"]
        if event["type"] == "MAIL_CANCELLED"
    ]
    assert "the invoice is PAID" in cancelled["description"]


def test_a_tenant_past_its_mail_quota_of_the_day_gets_429_with_retry_after(client_for, local_stack):
    client = client_for("e2e-quota")
    run_admin(local_stack, "set-mail-quota", "--tenant", "e2e-quota", "--per-day", "1")
    client_id = client.get("/v1/me").json()["clientId"]
    sent = client.patch(f"/v1/invoices/{draft_for(client, 'ap.quota@lodz.test')['id']}/mark-as-sent").json()
    path = f"/v1/clients/{client_id}/invoices/{sent['invoiceNumber']}/copies"

    accepted = client.post(path, {"recipient": {"email": "first@quota.test"}})
    refused = client.post(path, {"recipient": {"email": "second@quota.test"}})
    reminder = client.post(f"/v1/invoices/{sent['id']}/send-reminder")

    assert accepted.status == 202
    problem = assert_problem(refused, 429)
    assert problem["type"].endswith("quota-exceeded")
    assert 0 < int(refused.headers["Retry-After"]) <= 86_400
    assert_problem(reminder, 429)
    one_mail_to(local_stack, "first@quota.test")
    assert mails_to(local_stack.state_dir / "outbox", "second@quota.test") == []
