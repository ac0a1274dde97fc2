"""Invoice mail over the local stack: the worker on its queue, and the `.eml` files of the outbox."""

from __future__ import annotations

import io
import time
import uuid
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import boto3
import pytest
from pypdf import PdfReader

from devtools.template import REGION, local_deployment
from invoicing.mail.message import MailKind, OutboxMessage
from tests.e2e.test_documents_e2e import INVOICE

pytestmark = pytest.mark.e2e

RECIPIENT = "ap.worker@lodz.test"


def mails_to(outbox: Path, recipient: str) -> list[EmailMessage]:
    mails = [message_from_bytes(path.read_bytes(), policy=default) for path in sorted(outbox.glob("*.eml"))]
    return [mail for mail in mails if isinstance(mail, EmailMessage) and mail["To"] == recipient]


def wait_until_drained(sqs, queue_url: str) -> None:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    for _ in range(100):
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
        if all(attributes[name] == "0" for name in names):
            return
        time.sleep(0.2)
    raise AssertionError("the delivery queue was not drained")


def test_a_message_queued_twice_is_mailed_once_with_the_pdf(client_for, local_stack):
    client = client_for("e2e-mail")
    invoice = client.post("/v1/invoices", INVOICE).json()
    sent = client.patch(f"/v1/invoices/{invoice['id']}/mark-as-sent").json()
    client.post(f"/v1/invoices/{invoice['id']}/generate-pdf")
    message = OutboxMessage("e2e-mail", invoice["id"], MailKind.INVOICE, RECIPIENT, str(uuid.uuid4()), "e2e")
    sqs = boto3.client("sqs", endpoint_url=local_stack.moto_endpoint, region_name=REGION)
    queue_url = sqs.get_queue_url(QueueName=local_deployment().physical_name("DeliveryQueue"))["QueueUrl"]

    for _ in range(2):
        sqs.send_message(QueueUrl=queue_url, MessageBody=message.to_json())
        wait_until_drained(sqs, queue_url)

    [mail] = mails_to(local_stack.state_dir / "outbox", RECIPIENT)
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    [attachment] = list(mail.iter_attachments())
    pdf_text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(attachment.get_content())).pages
    )
    assert mail["Subject"] == f"Invoice {sent['invoiceNumber']} from e2e-mail"
    assert text is not None
    assert f"Total: {sent['totalWithTax']} EUR" in text.get_content()
    assert html is not None
    assert sent["invoiceNumber"] in html.get_content()
    assert attachment.get_content_type() == "application/pdf"
    assert sent["invoiceNumber"] in pdf_text
    assert f"€{sent['totalWithTax']:,.2f}" in pdf_text
    recorded = client.get(f"/v1/invoices/find/{invoice['id']}").json()
    assert recorded["sentMails"] == [RECIPIENT]
    assert [event["type"] for event in recorded["events"]].count("MAIL_SENT") == 1
