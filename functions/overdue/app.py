"""Overdue invoices (hourly): OVERDUE once the due date has passed, then the tenant's reminder
cadence, each step once, as of the event's time (`invoicing.overdue.job.OverdueJob`)."""

from invoicing.wiring.function import Function
from invoicing.wiring.services import OverdueServices

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.scheduling.job_runs import run_time

#: a run stops taking invoices this close to its timeout; the next run finds the rest still due
TIME_RESERVE_MS = 5_000

function = Function(OverdueServices)
services = function.services


@function.entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = services.overdue_job.run(
        run_time(event), time_left=lambda: context.get_remaining_time_in_millis() > TIME_RESERVE_MS
    )
    return {**report.counts(), "failures": report.failures}
