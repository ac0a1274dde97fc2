"""Scheduled sends: the target of each invoice's one-time schedule, and the sweep (every five minutes)
that sends what is due and not done through the `DueJobs` index. Both take "now" from the event."""

from invoicing.wiring.function import Function
from invoicing.wiring.services import ScheduledSendServices

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.scheduling.delivery import SendOutcome
from invoicing.scheduling.job_runs import run_time

#: the sweep stops taking sends this close to its timeout; the rest stays due for the next run
TIME_RESERVE_MS = 5_000

function = Function(ScheduledSendServices)
services = function.services


@function.entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """A one-time schedule's event names the invoice and its send time; the sweep's names neither.
    A one-time send that fails raises, so that Scheduler retries it (then the DLQ, then the sweep)."""
    now = run_time(event)
    sending = services.scheduled_sending
    if "invoiceId" in event:
        at = run_time({"time": event["sendAt"]})
        outcome = sending.send(event["tenantId"], event["invoiceId"], at, now)
        return {"invoiceId": event["invoiceId"], "outcome": outcome.value}

    def time_left() -> bool:
        return context.get_remaining_time_in_millis() > TIME_RESERVE_MS

    return sending.sweep(now, time_left).result(*SendOutcome)
