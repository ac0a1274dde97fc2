"""`make job NAME=<function> AT=<ISO-8601>`: fire a scheduled function once against the running stack.

The function runs in a fresh worker with the event its schedule would deliver at AT (the Scheduled
Event whose `time` is AT, or the schedule's Input when it declares one).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from devtools.stack.runtime import Worker, function_spec, invoke_worker
from devtools.stack.schedules import schedule_payload, scheduled_event
from devtools.stack.state import DEFAULT_STATE_DIR, StackNotRunningError, StackState, read_stack_state
from devtools.template import ACCOUNT_ID, REGION, LocalDeployment, local_deployment


def parse_time(text: str) -> datetime:
    """An ISO-8601 time; without an offset it is UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parser() -> argparse.ArgumentParser:
    root = time_travel_parser("python -m devtools.stack.job", __doc__, "the scheduled time")
    root.add_argument(
        "--name", required=True, help="logical id, code directory or physical name of the function"
    )
    return root


def time_travel_parser(prog: str, description: str | None, at_help: str) -> argparse.ArgumentParser:
    """The options of a command that runs jobs as of a time against the running stack."""
    root = argparse.ArgumentParser(prog=prog, description=description)
    root.add_argument("--at", required=True, type=parse_time, help=f"{at_help}, e.g. 2027-01-31T09:00:00Z")
    root.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="state directory of the stack"
    )
    return root


def running_deployment(state_dir: Path) -> tuple[StackState, LocalDeployment] | None:
    """The running stack's state and its template as it was started; None (said on stderr) when no
    stack runs there."""
    try:
        state = read_stack_state(state_dir)
    except StackNotRunningError as error:
        print(error, file=sys.stderr)
        return None
    deployment = local_deployment(state.parameters, Path(state.template))
    deployment.stack_name = state.stack_name
    return state, deployment


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    running = running_deployment(arguments.state_dir)
    if running is None:
        return 2
    state, deployment = running
    try:
        logical_id = deployment.function_by_name(arguments.name)
    except KeyError as error:
        known = ", ".join(sorted(deployment.functions))
        print(f"{error.args[0]}; the functions are {known}", file=sys.stderr)
        return 2
    schedules = [schedule for schedule in deployment.schedules() if schedule.function == logical_id]
    if schedules:
        event = schedule_payload(deployment, schedules[0], arguments.at)
    else:
        rule = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{deployment.physical_name(logical_id)}"
        event = scheduled_event(rule, arguments.at)
    spec = function_spec(deployment, logical_id, state.moto_endpoint)
    worker = Worker(spec)
    try:
        invocation = invoke_worker(worker, event, spec.timeout)
    finally:
        worker.stop()
    if not invocation.ok:
        print(json.dumps(invocation.error, indent=2), file=sys.stderr)
        return 1
    print(json.dumps(invocation.result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
