"""Overdue invoices (a scheduled job, hourly): OVERDUE once the due date has passed, then the
tenant's reminder cadence, each step once (`invoicing.overdue.job.OverdueJob`). The time it runs
for is its event's `time`, never the wall clock, so `make jobs AT=...` can move time forward."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.scheduling.job_runs import run_time
from invoicing.wiring.function import Function
from invoicing.wiring.services import OverdueServices

function = Function(OverdueServices)
services = function.services


@function.logger.inject_lambda_context
@function.tracer.capture_lambda_handler
@function.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = services.overdue_job.run(run_time(event))
    return {**report.counts(), "failures": report.failures}
