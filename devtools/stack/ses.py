"""SES beyond what moto does: injected send failures, and the notifications SES publishes.

Faults. `<state dir>/faults/ses.json` holding `{"SendRawEmail": 3}` makes the next three
`SendRawEmail` calls fail with SES's `Throttling` error before they reach moto; each failure takes
one off the count. Tests use it to prove that a rejected send is retried and delivered once.

Notifications. A mail sent with a configuration set whose event destination is an SNS topic makes
SES publish what became of it; here every recipient gets a Delivery, except the mailbox simulator's
`bounce@simulator.amazonses.com` (a hard Bounce) and `complaint@simulator.amazonses.com` (Delivery
and Complaint). The notification reaches the functions the template subscribes to the topic, as
Lambda's SNS event source would deliver it, from a background thread (never under moto's lock).
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from devtools.stack.console import say_from
from devtools.stack.outbox import WSGIEnviron, read_body, ses_backends
from devtools.stack.runtime import Invocation
from devtools.template import LocalDeployment

Reply = tuple[str, list[tuple[str, str]], bytes]
Invoke = Callable[[str, Any], Invocation]

SEND_RAW_EMAIL = "SendRawEmail"
BOUNCE_ADDRESS = "bounce@simulator.amazonses.com"
COMPLAINT_ADDRESS = "complaint@simulator.amazonses.com"
THROTTLING_REPLY = (
    b'<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type>'
    b"<Code>Throttling</Code><Message>Maximum sending rate exceeded.</Message></Error>"
    b"<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
)


def _query_action(environ: WSGIEnviron) -> dict[str, list[str]] | None:
    """The parameters of an AWS query-protocol POST (SES v1), or None for any other request."""
    if environ.get("REQUEST_METHOD") != "POST":
        return None
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return None
    return parse_qs(read_body(environ).decode("utf-8", "replace"))


def _first(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _numbered(params: dict[str, list[str]], prefix: str) -> list[str]:
    found = []
    index = 1
    while (value := _first(params, f"{prefix}.{index}")) is not None:
        found.append(value)
        index += 1
    return found


def _tags(params: dict[str, list[str]]) -> dict[str, str]:
    """`Tags.member.N.Name` / `.Value` pairs of a query-protocol request."""
    tags = {}
    index = 1
    while (name := _first(params, f"Tags.member.{index}.Name")) is not None:
        tags[name] = _first(params, f"Tags.member.{index}.Value") or ""
        index += 1
    return tags


class SesFaults:
    """Fails the next n `SendRawEmail` calls, n read from `<state dir>/faults/ses.json`."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "faults" / "ses.json"

    def intercept(self, environ: WSGIEnviron) -> Reply | None:
        if not self.path.exists():
            return None
        params = _query_action(environ)
        if params is None or _first(params, "Action") != SEND_RAW_EMAIL:
            return None
        faults = json.loads(self.path.read_text() or "{}")
        remaining = int(faults.get(SEND_RAW_EMAIL, 0))
        if remaining <= 0:
            return None
        self.path.write_text(json.dumps({**faults, SEND_RAW_EMAIL: remaining - 1}))
        say_from("ses", f"injected Throttling into SendRawEmail ({remaining - 1} more to come)")
        return "400 Bad Request", [("Content-Type", "text/xml")], THROTTLING_REPLY


def ses_event(
    event_type: str, message_id: str, source: str, recipient: str, tags: dict[str, str], now: datetime
) -> dict[str, Any]:
    """The JSON SES event publishing sends to SNS for one recipient of a mail."""
    timestamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    mail = {
        "timestamp": timestamp,
        "source": source,
        "messageId": message_id,
        "destination": [recipient],
        "tags": {name: [value] for name, value in tags.items()},
    }
    details: dict[str, Any] = {
        "Delivery": {
            "delivery": {
                "timestamp": timestamp,
                "recipients": [recipient],
                "processingTimeMillis": 100,
                "smtpResponse": "250 2.0.0 OK",
                "reportingMTA": "local-stack",
            }
        },
        "Bounce": {
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {
                        "emailAddress": recipient,
                        "action": "failed",
                        "status": "5.1.1",
                        "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                    }
                ],
                "timestamp": timestamp,
                "feedbackId": str(uuid.uuid4()),
            }
        },
        "Complaint": {
            "complaint": {
                "complainedRecipients": [{"emailAddress": recipient}],
                "timestamp": timestamp,
                "feedbackId": str(uuid.uuid4()),
                "complaintFeedbackType": "abuse",
            }
        },
    }
    return {"eventType": event_type, "mail": mail, **details[event_type]}


def outcomes_for(recipient: str) -> list[str]:
    """What the mailbox simulator makes of a recipient; every other address is delivered."""
    address = recipient.rsplit("<", 1)[-1].rstrip(">").strip().lower()
    if address == BOUNCE_ADDRESS:
        return ["Bounce"]
    if address == COMPLAINT_ADDRESS:
        return ["Delivery", "Complaint"]
    return ["Delivery"]


def sns_event(topic_arn: str, message: str, now: datetime) -> dict[str, Any]:
    """The event Lambda's SNS event source passes a subscribed function."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": topic_arn,
                    "Subject": None,
                    "Message": message,
                    "Timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "SignatureVersion": "1",
                    "Signature": "",
                    "SigningCertUrl": "",
                    "UnsubscribeUrl": "",
                    "MessageAttributes": {},
                },
            }
        ]
    }


class SesEventPublisher:
    """Publishes SES notifications of the mails moto accepted to the subscribers of their topics."""

    def __init__(
        self,
        deployment: LocalDeployment,
        invoke: Invoke,
        backends: Callable[[], list[Any]] = ses_backends,
    ) -> None:
        self._deployment = deployment
        self._invoke = invoke
        self._backends = backends
        self._pending: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._deliver, name="ses-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._pending.put(None)
        self._thread.join()

    def destinations(self, configuration_set: str) -> list[tuple[str, set[str]]]:
        """(topic ARN, matching event types) of each SNS event destination of `configuration_set`."""
        found = []
        for resource in self._deployment.resources.values():
            if resource.get("Type") != "AWS::SES::ConfigurationSetEventDestination":
                continue
            properties = self._deployment.resolve(resource["Properties"])
            destination = properties["EventDestination"]
            if properties["ConfigurationSetName"] != configuration_set or not destination.get(
                "Enabled", True
            ):
                continue
            if "SnsDestination" in destination:
                types = {kind.lower() for kind in destination.get("MatchingEventTypes", [])}
                found.append((destination["SnsDestination"]["TopicARN"], types))
        return found

    def subscribers(self, topic_arn: str) -> list[str]:
        """Functions whose template events subscribe them to `topic_arn`."""
        subscribed = []
        for logical_id in self._deployment.functions:
            for event in self._deployment.function_properties(logical_id).get("Events", {}).values():
                if (
                    event.get("Type") == "SNS"
                    and self._deployment.resolve(event["Properties"]["Topic"]) == topic_arn
                ):
                    subscribed.append(logical_id)
        return subscribed

    def observe(self, environ: WSGIEnviron) -> Callable[[], None]:
        params = _query_action(environ)
        if params is None or _first(params, "Action") != SEND_RAW_EMAIL:
            return lambda: None
        configuration_set = _first(params, "ConfigurationSetName")
        if configuration_set is None:
            return lambda: None
        tags = _tags(params)
        source = _first(params, "Source") or ""
        recipients = _numbered(params, "Destinations.member")
        known = {id(message) for backend in self._backends() for message in backend.sent_messages}
        return lambda: self._publish(configuration_set, source, recipients, tags, known)

    def _publish(
        self,
        configuration_set: str,
        source: str,
        recipients: list[str],
        tags: dict[str, str],
        known: set[int],
    ) -> None:
        accepted = [
            message
            for backend in self._backends()
            for message in backend.sent_messages
            if id(message) not in known
        ]
        if not accepted:
            return
        message_id = accepted[-1].id
        now = datetime.now(UTC)
        tags = {"ses:configuration-set": configuration_set, **tags}
        for topic_arn, event_types in self.destinations(configuration_set):
            for recipient in recipients:
                for event_type in outcomes_for(recipient):
                    if event_type.lower() in event_types:
                        notification = ses_event(event_type, message_id, source, recipient, tags, now)
                        self._pending.put((topic_arn, notification))

    def _deliver(self) -> None:
        while (item := self._pending.get()) is not None:
            topic_arn, notification = item
            for function in self.subscribers(topic_arn):
                invocation = self._invoke(
                    function, sns_event(topic_arn, json.dumps(notification), datetime.now(UTC))
                )
                outcome = "failed" if invocation.error is not None else "done"
                mail_id = notification["mail"]["messageId"]
                say_from("ses", f"{notification['eventType']} of {mail_id} -> {function}: {outcome}")
