"""The sandbox payment processor's webhook, delivered: every second, the events it queued (signed,
under `SANDBOX#EVENTS` in the table, `invoicing.adapters.sandbox_processor`) that are due are POSTed
to the API's `/v1/payments/events` as the processor would, and removed once answered 2xx."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime

from devtools.stack.aws import aws_client
from devtools.stack.console import say_from
from devtools.template import LocalDeployment

POLL_SECONDS = 1.0
WEBHOOK_PATH = "/v1/payments/events"
EVENTS_KEY = "SANDBOX#EVENTS"


class SandboxEvents:
    @staticmethod
    def has_webhook(deployment: LocalDeployment) -> bool:
        """Whether the template serves the processor's webhook (a small test template may not)."""
        return any(route.path == WEBHOOK_PATH for route in deployment.routes())

    def __init__(self, deployment: LocalDeployment, endpoint_url: str | None, api_url: str) -> None:
        self._table = deployment.ref("InvoicingTable")
        self._client = aws_client("dynamodb", endpoint_url)
        self._url = api_url + WEBHOOK_PATH
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.deliver_due(datetime.now(UTC))
            except Exception as error:  # keep delivering whatever moto answers
                say_from("payments", f"delivering sandbox events failed: {error}")

    def deliver_due(self, now: datetime) -> int:
        """POST every event due by `now`; the number delivered."""
        items = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk <= :now",
            ExpressionAttributeValues={
                ":pk": {"S": EVENTS_KEY},
                ":now": {"S": f"{now:%Y-%m-%dT%H:%M:%S.%f}Z~"},
            },
            ConsistentRead=True,
        )["Items"]
        delivered = 0
        for item in items:
            event = json.loads(item["data"]["S"])
            request = urllib.request.Request(
                self._url,
                data=event["payload"].encode(),
                headers={"Content-Type": "application/json", "Payment-Signature": event["signature"]},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    answered = response.status
            except urllib.error.HTTPError as error:
                answered = error.code
            say_from("payments", f"sandbox event {item['sk']['S'].split('#')[-1]}: {answered}")
            if 200 <= answered < 300:
                self._client.delete_item(TableName=self._table, Key={"pk": item["pk"], "sk": item["sk"]})
                delivered += 1
        return delivered
