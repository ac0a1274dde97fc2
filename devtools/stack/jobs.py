"""`make jobs AT=<ISO-8601>`: run, against the running stack, everything that would have fired by AT.

This is how developers and tests move time forward. In this order:
1. every one-time Scheduler schedule due at or before AT (a scheduled invoice's send), as Scheduler
   fires it: its Input with the context attributes filled in, retried, then deleted when its
   ActionAfterCompletion is DELETE, so the stack's own poller does not fire it again on real time;
2. every schedule event of the template once, with the event it would deliver at AT, ordered by
   the function's `Metadata.JobOrder` (the scheduled-send sweep 10, recurring invoices 20, overdue
   invoices and reminders 30), then the jobs without one in template order (the outbox relay). A
   job added to template.yaml is picked up as it is.
Every job and schedule that ran gets one line: what it returned (or its error). The exit status is 1
when any of them failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from devtools.stack.job import running_deployment, time_travel_parser
from devtools.stack.runtime import Invocation, Runtime
from devtools.stack.scheduler import OneTimeSchedules
from devtools.stack.schedules import iso_z, schedule_payload
from devtools.template import LocalDeployment, Schedule


def job_order(deployment: LocalDeployment) -> list[Schedule]:
    """The template's schedules by their function's `Metadata.JobOrder`, the rest after them as
    the template lists them."""
    functions = list(deployment.functions)

    def rank(schedule: Schedule) -> tuple[float, int]:
        order = deployment.functions[schedule.function].get("Metadata", {}).get("JobOrder")
        return (float(order) if order is not None else float("inf"), functions.index(schedule.function))

    return sorted(deployment.schedules(), key=rank)


def summary(result: Any) -> str:
    """A job's answer on one line: `key=value` for a flat dict, else its JSON."""
    if isinstance(result, dict):
        return " ".join(f"{key}={json.dumps(value, separators=(',', ':'))}" for key, value in result.items())
    return json.dumps(result)


def outcome(invocation: Invocation) -> str:
    if invocation.ok:
        return summary(invocation.result)
    assert invocation.error is not None
    return f"FAILED {invocation.error['errorType']}: {invocation.error['errorMessage']}"


def run_jobs(deployment: LocalDeployment, moto_endpoint: str, at: datetime) -> list[tuple[str, Invocation]]:
    """Fire what is due by `at`: (what ran, how it ended), in the order it ran."""
    runtime = Runtime(deployment, moto_endpoint)
    ran: list[tuple[str, Invocation]] = []
    try:

        def fire_one_time(function: str, payload: Any) -> Invocation:
            invocation = runtime.invoke(function, payload)
            ran.append((f"one-time schedule -> {function}", invocation))
            return invocation

        one_time = OneTimeSchedules(moto_endpoint, runtime.by_arn, fire_one_time, clock=lambda: at)
        one_time.poll()
        one_time.drain()
        for schedule in job_order(deployment):
            invocation = runtime.invoke(schedule.function, schedule_payload(deployment, schedule, at))
            ran.append((f"{schedule.function} {schedule.name}", invocation))
    finally:
        runtime.close()
    return ran


def parser() -> argparse.ArgumentParser:
    return time_travel_parser("python -m devtools.stack.jobs", __doc__, "run as of this time")


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    running = running_deployment(arguments.state_dir)
    if running is None:
        return 2
    state, deployment = running
    ran = run_jobs(deployment, state.moto_endpoint, arguments.at)
    print(f"jobs as of {iso_z(arguments.at)}:")
    for what, invocation in ran:
        print(f"  {what}: {outcome(invocation)}")
    return 0 if all(invocation.ok for _, invocation in ran) else 1


if __name__ == "__main__":
    sys.exit(main())
