"""The whole local stack: moto, the template's resources, the functions, the API, the schedules and
the SQS and SNS event sources."""

from __future__ import annotations

import logging
import os
import textwrap
from contextlib import ExitStack
from pathlib import Path

from devtools.stack.console import say
from devtools.stack.dynamodb_faults import DynamoDbFaults
from devtools.stack.gateway import Gateway, GatewayServer
from devtools.stack.moto_server import MotoServer
from devtools.stack.outbox import Outbox
from devtools.stack.provision import not_provisioned, provision_resources
from devtools.stack.queues import QueuePollers
from devtools.stack.runtime import Invocation, Runtime
from devtools.stack.sandbox_events import SandboxEvents
from devtools.stack.scheduler import OneTimeSchedules, TemplateSchedules
from devtools.stack.ses import SesEventPublisher, SesFaults
from devtools.stack.sms_outbox import SmsOutbox
from devtools.stack.state import StackState, remove_stack_state, write_stack_state
from devtools.template import REGION, LocalDeployment


class LocalStack:
    """Starts everything in order and stops it in reverse order (also when starting fails halfway)."""

    def __init__(self, deployment: LocalDeployment, template_path: Path, port: int, state_dir: Path) -> None:
        self.deployment = deployment
        self.template_path = template_path
        self.port = port
        self.state_dir = state_dir
        self.outbox = state_dir / "outbox"
        self._resources = ExitStack()
        self._runtime: Runtime | None = None
        self.not_local: dict[str, int] = {}

    def start(self) -> StackState:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        resources = self._resources
        try:
            ses_events = SesEventPublisher(self.deployment, self._invoke)
            moto = MotoServer(
                observers=[
                    Outbox(self.outbox).observe,
                    SmsOutbox(self.outbox / "sms").observe,
                    ses_events.observe,
                ],
                interceptors=[SesFaults(self.state_dir).intercept, DynamoDbFaults(self.state_dir).intercept],
            )
            moto.start()
            resources.callback(moto.stop)
            self.not_local = provision_resources(self.deployment, moto.endpoint)
            runtime = Runtime(self.deployment, moto.endpoint)
            resources.callback(runtime.close)
            self._runtime = runtime
            ses_events.start()
            resources.callback(ses_events.stop)
            gateway = GatewayServer(Gateway(self.deployment, runtime), self.port)
            gateway.start()
            resources.callback(gateway.stop)
            schedules = TemplateSchedules(self.deployment, runtime.invoke)
            schedules.start()
            resources.callback(schedules.stop)
            one_time = OneTimeSchedules(moto.endpoint, runtime.by_arn, runtime.invoke)
            one_time.start()
            resources.callback(one_time.stop)
            queues = QueuePollers(self.deployment, moto.endpoint, runtime.invoke)
            queues.start()
            resources.callback(queues.stop)
            if SandboxEvents.has_webhook(self.deployment):
                sandbox_events = SandboxEvents(self.deployment, moto.endpoint, gateway.url)
                sandbox_events.start()
                resources.callback(sandbox_events.stop)
            state = StackState(
                api_url=gateway.url,
                moto_endpoint=moto.endpoint,
                region=REGION,
                stack_name=self.deployment.stack_name,
                stage=gateway.gateway.api.stage,
                parameters=dict(self.deployment.parameter_overrides),
                pid=os.getpid(),
                template=str(self.template_path.resolve()),
            )
            write_stack_state(self.state_dir, state)
            resources.callback(remove_stack_state, self.state_dir)
        except BaseException:
            resources.close()
            raise
        return state

    def _invoke(self, function: str, event: object) -> Invocation:
        """Invoke through the runtime, which exists once moto (whose observers hold this) is up."""
        if self._runtime is None:
            raise RuntimeError("the runtime is not running")
        return self._runtime.invoke(function, event)

    def stop(self) -> None:
        self._resources.close()


def banner(state: StackState, outbox: Path, not_local: dict[str, int] | None = None) -> str:
    example_route = f"{state.api_url}/v1/me"
    lines = [
        "",
        "  Local stack is up (SAM local without Docker)",
        "",
        f"  API           {state.api_url}   (stage {state.stage}, no stage prefix locally)",
        f"  moto (AWS)    {state.moto_endpoint}   (region {state.region})",
        f"  outbox        {outbox.resolve()}   (every SES message as .eml)",
        f"  SMS outbox    {(outbox / 'sms').resolve()}   (every SMS sent through SNS as <message id>.json)",
        *textwrap.wrap(
            f"{not_provisioned(not_local)} (deployed only)" if not_local else "",
            width=100,
            initial_indent="  not local     ",
            subsequent_indent=" " * 16,
        ),
        "",
        "  get a token:  make token TENANT=acme",
        "  API key:      make api-key TENANT=acme",
        "  try it:       T=$(make -s token TENANT=acme | tail -1)",
        f'                curl -H "Authorization: Bearer $T" {example_route}',
        "",
        "  Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def announce(state: StackState, outbox: Path, not_local: dict[str, int] | None = None) -> None:
    say(banner(state, outbox, not_local))
