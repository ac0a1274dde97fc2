"""Recurring invoices: every hour, each template issues every invoice it has due as of the event's
time, however long ago (the catch-up after an outage), and publishes and mails it with autoSend."""

from invoicing.wiring.function import Function
from invoicing.wiring.services import RecurringServices

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.recurring.issuing import Outcome
from invoicing.scheduling.job_runs import run_time

#: a run stops taking templates this close to its timeout; one cut short loses nothing, as every
#: step is idempotent and the next run resumes the template
TIME_RESERVE_MS = 5_000

function = Function(RecurringServices)
services = function.services


@function.entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    def time_left() -> bool:
        return context.get_remaining_time_in_millis() > TIME_RESERVE_MS

    return services.recurring_invoices.issue_due(run_time(event), time_left=time_left).result(*Outcome)
