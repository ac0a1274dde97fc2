"""moto in this process: one request at a time, and SES messages copied to the outbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devtools.stack.aws import aws_client
from devtools.stack.moto_server import MotoServer, SerializedApp
from devtools.stack.outbox import Outbox


def test_requests_reach_the_app_one_at_a_time() -> None:
    inside = 0
    most = 0
    guard = threading.Lock()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.01)
        start_response("200 OK", [])
        with guard:
            inside -= 1
        return [b"a", b"b"]

    serialized = SerializedApp(app)
    with ThreadPoolExecutor(max_workers=8) as executor:
        bodies = list(executor.map(lambda _: serialized({}, lambda *args: None), range(16)))

    assert most == 1
    assert bodies == [[b"ab"]] * 16


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MotoServer, Path]]:
    outbox = tmp_path_factory.mktemp("outbox")
    server = MotoServer(observers=[Outbox(outbox).observe])
    server.start()
    aws_client("ses", server.endpoint).verify_email_identity(EmailAddress="sender@example.com")
    yield server, outbox
    server.stop()


def test_ses_messages_land_in_the_outbox(moto: tuple[MotoServer, Path]) -> None:
    server, outbox = moto
    destination = {"ToAddresses": ["to@example.org"], "CcAddresses": ["cc@example.org"]}
    raw = b"From: sender@example.com\r\nTo: to@example.org\r\nSubject: raw\r\n\r\nPDF attached\r\n"

    simple_id = aws_client("ses", server.endpoint).send_email(
        Source="sender@example.com",
        Destination=destination,
        Message={
            "Subject": {"Data": "Invoice"},
            "Body": {"Text": {"Data": "text"}, "Html": {"Data": "<p>html</p>"}},
        },
    )["MessageId"]
    raw_id = aws_client("sesv2", server.endpoint).send_email(
        FromEmailAddress="sender@example.com",
        Destination={"ToAddresses": ["to@example.org"]},
        Content={"Raw": {"Data": raw}},
    )["MessageId"]

    files = {path.name.split("-", 1)[1].removesuffix(".eml"): path for path in outbox.iterdir()}
    assert set(files) >= {simple_id, raw_id}
    assert files[raw_id].read_bytes() == raw
    simple = message_from_bytes(files[simple_id].read_bytes(), policy=default)
    assert (simple["To"], simple["Cc"], simple["Subject"]) == ("to@example.org", "cc@example.org", "Invoice")
    assert simple.get_body(preferencelist=("html",)) is not None
    assert simple.get_body(preferencelist=("plain",)) is not None


def test_a_refused_message_is_not_written(moto: tuple[MotoServer, Path]) -> None:
    server, outbox = moto
    before = set(outbox.iterdir())

    with pytest.raises(ClientError, match="not verified"):
        aws_client("ses", server.endpoint).send_email(
            Source="stranger@example.net",
            Destination={"ToAddresses": ["to@example.org"]},
            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}},
        )

    assert set(outbox.iterdir()) == before
