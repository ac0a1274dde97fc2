"""The local stack's SMS outbox: each text message moto's SNS accepted, as one JSON file."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace
from urllib.parse import urlencode

from devtools.stack.sms_outbox import SmsOutbox


def publish_request(**params: str) -> dict:
    body = urlencode({"Action": "Publish", "Version": "2010-03-31", **params}).encode()
    return {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }


def test_a_published_sms_is_written_once_with_its_sender_id(tmp_path):
    backend = SimpleNamespace(sms_messages={})
    outbox = SmsOutbox(tmp_path / "sms", backends=lambda: [backend])
    request = publish_request(
        PhoneNumber="+14155552671",
        Message="Acme: invoice 1, €5.00 due 2026-12-22.",
        **{
            "MessageAttributes.entry.1.Name": "AWS.SNS.SMS.SenderID",
            "MessageAttributes.entry.1.Value.DataType": "String",
            "MessageAttributes.entry.1.Value.StringValue": "ACME",
        },
    )

    after = outbox.observe(request)
    backend.sms_messages["m-1"] = ("+14155552671", "Acme: invoice 1, €5.00 due 2026-12-22.")
    after()
    outbox.observe(publish_request(PhoneNumber="+14155552671", Message="x"))()

    [written] = list((tmp_path / "sms").iterdir())
    assert written.name == "m-1.json"
    record = json.loads(written.read_text())
    assert set(record) == {"phoneNumber", "message", "senderId", "time"}
    assert (record["phoneNumber"], record["senderId"]) == ("+14155552671", "ACME")
    assert request["wsgi.input"].read().startswith(b"Action=Publish")


def test_other_requests_write_nothing(tmp_path):
    backend = SimpleNamespace(sms_messages={"m-1": ("+1", "x")})
    outbox = SmsOutbox(tmp_path / "sms", backends=lambda: [backend])

    outbox.observe(publish_request(TopicArn="arn:aws:sns:eu-west-1:123456789012:t", Message="x"))()
    outbox.observe({"REQUEST_METHOD": "GET"})()

    assert not (tmp_path / "sms").exists()
