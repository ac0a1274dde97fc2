"""The outbox: SES messages as .eml files, raw ones byte for byte, simple ones composed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from devtools.stack.outbox import Outbox, SimpleEmail, compose, parse_v1_send_email, parse_v2_send_email

DATE = datetime(2026, 11, 22, 10, 15, tzinfo=UTC)


def test_a_simple_message_has_headers_and_both_alternatives() -> None:
    email = SimpleEmail(
        source="Invoices <invoices@example.com>",
        subject="Invoice 2026-0001 für Sie",
        to=["a@example.com", "b@example.com"],
        cc=["c@example.com"],
        reply_to=["support@example.com"],
        text="Hello, your invoice is attached.",
        html="<p>Hello, your <b>invoice</b> is attached.</p>",
    )

    message = message_from_bytes(compose(email, "0100-abc", DATE), policy=default)

    assert message["From"] == "Invoices <invoices@example.com>"
    assert message["To"] == "a@example.com, b@example.com"
    assert message["Cc"] == "c@example.com"
    assert message["Reply-To"] == "support@example.com"
    assert message["Subject"] == "Invoice 2026-0001 für Sie"
    assert message["Date"] == "Sun, 22 Nov 2026 10:15:00 +0000"
    assert message["Message-ID"] == "<0100-abc@eu-west-1.amazonses.com>"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert text.get_content().strip() == "Hello, your invoice is attached."
    assert html.get_content().strip() == "<p>Hello, your <b>invoice</b> is attached.</p>"


def test_an_html_only_message_is_html() -> None:
    email = SimpleEmail(source="a@example.com", subject="s", to=["b@example.com"], html="<p>x</p>")

    message = message_from_bytes(compose(email, "id", DATE), policy=default)

    assert message.get_content_type() == "text/html"


def test_v1_and_v2_requests_are_read() -> None:
    v1 = urlencode(
        {
            "Action": "SendEmail",
            "Source": "a@example.com",
            "Destination.ToAddresses.member.2": "to2@example.com",
            "Destination.ToAddresses.member.1": "to1@example.com",
            "Destination.CcAddresses.member.1": "cc@example.com",
            "Message.Subject.Data": "Hi",
            "Message.Body.Text.Data": "text",
            "Message.Body.Html.Data": "<p>html</p>",
        }
    ).encode()
    v2 = json.dumps(
        {
            "FromEmailAddress": "a@example.com",
            "Destination": {"ToAddresses": ["to1@example.com"]},
            "Content": {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "text"}}}},
        }
    ).encode()

    first = parse_v1_send_email(v1)
    second = parse_v2_send_email(v2)

    assert first is not None
    assert first.to == ["to1@example.com", "to2@example.com"]
    assert (first.cc, first.text, first.html) == (["cc@example.com"], "text", "<p>html</p>")
    assert second == SimpleEmail(source="a@example.com", subject="Hi", to=["to1@example.com"], text="text")
    assert parse_v1_send_email(b"Action=ListIdentities") is None
    assert parse_v2_send_email(json.dumps({"Content": {"Raw": {"Data": "eA=="}}}).encode()) is None


class FakeBackend:
    def __init__(self) -> None:
        self.sent_messages: list[Any] = []


def request_environ(path: str, body: bytes, content_type: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": BytesIO(body),
    }


def test_each_new_message_is_written_once_raw_ones_byte_for_byte(tmp_path: Path) -> None:
    backend = FakeBackend()
    outbox = Outbox(tmp_path, backends=lambda: [backend])
    raw = "From: a@example.com\r\nTo: b@example.com\r\nSubject: r\u00e9\r\n\r\nbody \u00e9\r\n"
    v2 = json.dumps(
        {
            "FromEmailAddress": "a@example.com",
            "Destination": {"ToAddresses": ["b@example.com"]},
            "Content": {
                "Simple": {
                    "Subject": {"Data": "S"},
                    "Body": {"Text": {"Data": "t"}, "Html": {"Data": "<p>h</p>"}},
                }
            },
        }
    ).encode()

    environ = request_environ("/v2/email/outbound-emails", v2, "application/json")
    done = outbox.observe(environ)
    assert environ["wsgi.input"].read() == v2
    backend.sent_messages.append(
        SimpleNamespace(id="m1", source="a@example.com", subject="S", body="<p>h</p>", destinations={})
    )
    done()
    done = outbox.observe(request_environ("/", b"Action=SendRawEmail", "application/x-www-form-urlencoded"))
    backend.sent_messages.append(
        SimpleNamespace(id="m2", source="a@example.com", destinations=[], raw_data=raw)
    )
    done()
    outbox.observe(request_environ("/", b"Action=ListIdentities", "application/x-www-form-urlencoded"))()

    files = sorted(tmp_path.iterdir())
    assert [path.name.split("-", 1)[1] for path in files] == ["m1.eml", "m2.eml"]
    assert files[0].name < files[1].name
    composed = message_from_bytes(files[0].read_bytes(), policy=default)
    assert composed.get_content_type() == "multipart/alternative"
    assert files[1].read_bytes() == raw.encode("utf-8")
