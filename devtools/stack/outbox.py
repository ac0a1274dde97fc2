"""The outbox: every message sent through moto's SES is also written as an `.eml` file.

Raw messages are written byte for byte. Moto keeps only one body of a simple message, so the SES
request itself (v1 `SendEmail` or v2 `SendEmail` with `Simple` content) is read as it passes through
moto and the message is composed from it, with its text and HTML alternatives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from devtools.stack.console import say_from
from devtools.template import REGION

WSGIEnviron = dict[str, Any]
V2_SEND_PATH = "/v2/email/outbound-emails"


@dataclass(frozen=True)
class SimpleEmail:
    """The content of an SES simple (non-raw) message."""

    source: str
    subject: str
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    text: str | None = None
    html: str | None = None


def compose(email: SimpleEmail, message_id: str, date: datetime) -> bytes:
    """The RFC 5322 message SES would deliver for `email`."""
    message = EmailMessage(policy=SMTP)
    message["From"] = email.source
    if email.to:
        message["To"] = ", ".join(email.to)
    if email.cc:
        message["Cc"] = ", ".join(email.cc)
    if email.reply_to:
        message["Reply-To"] = ", ".join(email.reply_to)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = f"<{message_id}@{REGION}.amazonses.com>"
    if email.text is not None or email.html is None:
        message.set_content(email.text or "")
        if email.html is not None:
            message.add_alternative(email.html, subtype="html")
    else:
        message.set_content(email.html, subtype="html")
    return message.as_bytes()


def _members(params: dict[str, list[str]], prefix: str) -> list[str]:
    """`Prefix.member.1`, `Prefix.member.2`, ... of an AWS query-protocol request, in order."""
    numbered = {
        int(key.rsplit(".", 1)[1]): values[0]
        for key, values in params.items()
        if key.startswith(f"{prefix}.member.") and key.rsplit(".", 1)[1].isdigit()
    }
    return [numbered[index] for index in sorted(numbered)]


def parse_v1_send_email(body: bytes) -> SimpleEmail | None:
    params = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    if params.get("Action") != ["SendEmail"]:
        return None

    def first(key: str) -> str | None:
        return params[key][0] if key in params else None

    return SimpleEmail(
        source=first("Source") or "",
        subject=first("Message.Subject.Data") or "",
        to=_members(params, "Destination.ToAddresses"),
        cc=_members(params, "Destination.CcAddresses"),
        reply_to=_members(params, "ReplyToAddresses"),
        text=first("Message.Body.Text.Data"),
        html=first("Message.Body.Html.Data"),
    )


def parse_v2_send_email(body: bytes) -> SimpleEmail | None:
    request = json.loads(body or b"{}")
    simple = request.get("Content", {}).get("Simple")
    if simple is None:
        return None
    destination = request.get("Destination", {})
    return SimpleEmail(
        source=request.get("FromEmailAddress", ""),
        subject=simple.get("Subject", {}).get("Data", ""),
        to=list(destination.get("ToAddresses", [])),
        cc=list(destination.get("CcAddresses", [])),
        reply_to=list(request.get("ReplyToAddresses", [])),
        text=simple.get("Body", {}).get("Text", {}).get("Data"),
        html=simple.get("Body", {}).get("Html", {}).get("Data"),
    )


def read_body(environ: WSGIEnviron) -> bytes:
    """Read the request body and put it back for moto."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = BytesIO(body)
    return body


def capture_simple_email(environ: WSGIEnviron) -> SimpleEmail | None:
    """The simple message an SES send request carries, if it is one."""
    if environ.get("REQUEST_METHOD") != "POST":
        return None
    if environ.get("PATH_INFO", "").startswith(V2_SEND_PATH):
        return parse_v2_send_email(read_body(environ))
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return parse_v1_send_email(read_body(environ))
    return None


def ses_backends() -> list[Any]:
    from moto.ses.models import ses_backends

    return [backend for account in list(ses_backends.values()) for backend in list(account.values())]


class Outbox:
    """Writes each message moto's SES backends accept to `directory` (called under moto's lock)."""

    def __init__(self, directory: Path, backends: Callable[[], list[Any]] = ses_backends) -> None:
        self.directory = directory
        self._backends = backends
        self._seen: dict[int, int] = {}

    def observe(self, environ: WSGIEnviron) -> Callable[[], None]:
        """Before a request reaches moto; returns what to do once moto answered it."""
        simple = capture_simple_email(environ)
        return lambda: self._collect(simple)

    def _collect(self, simple: SimpleEmail | None) -> None:
        for backend in self._backends():
            seen = self._seen.get(id(backend), 0)
            messages = backend.sent_messages
            if len(messages) < seen:
                seen = 0
            for message in messages[seen:]:
                self._write(message, simple)
            self._seen[id(backend)] = len(messages)

    def _write(self, message: Any, simple: SimpleEmail | None) -> None:
        now = datetime.now(UTC)
        if hasattr(message, "raw_data"):
            content = message.raw_data.encode("utf-8")
        elif hasattr(message, "subject"):
            content = compose(simple or _from_moto(message), message.id, now)
        else:
            say_from("outbox", f"templated message {getattr(message, 'id', '?')} is not written")
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{now:%Y%m%dT%H%M%S.%f}Z-{message.id}.eml"
        path.write_bytes(content)
        say_from("outbox", f"{path}")


def _from_moto(message: Any) -> SimpleEmail:
    """A simple message as moto stored it (one body only); used when its request was not seen."""
    body: str = message.body or ""
    is_html = body.lstrip().startswith("<")
    return SimpleEmail(
        source=message.source,
        subject=message.subject or "",
        to=list(message.destinations.get("ToAddresses", [])),
        cc=list(message.destinations.get("CcAddresses", [])),
        text=None if is_html else body,
        html=body if is_html else None,
    )
