"""Outbox relay: queues again the mail SQS never got (a scheduled job, every five minutes).

The relay loop is `invoicing.mail.relay.OutboxRelay`; its reads go through the outbox's `DueJobs`
index: a Query per day and shard, never a Scan.
"""

from invoicing.wiring.function import Function
from invoicing.wiring.services import RelayServices

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.clock import utc_now

function = Function(RelayServices)
services = function.services


def _run_time(event: dict[str, Any]) -> datetime:
    """The scheduled event's `time` (so a job can be replayed for a given moment), else now."""
    if isinstance(event.get("time"), str):
        return datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    return utc_now()


@function.entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    relayed = services.outbox_relay.run(_run_time(event))
    return {"requeued": relayed.requeued, "abandoned": relayed.abandoned}
