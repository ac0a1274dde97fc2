"""Admin command line: create tenants, create and revoke API keys, issue bearer tokens, reconcile
figures, set a tenant's mail quota, list and redrive the dead-letter queues.

Works against the local stack (`make run`, found through its state directory) or, with AWS
credentials and `--stack-name`, against a deployed stack (found through its CloudFormation outputs).
The secret or token is always the last line of output, so scripts can take it with `tail -1`.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from devtools.dead_letters import DeployedStack, LocalStack, StackResources, dead_letter_queues, redrive
from devtools.template import REGION, local_deployment
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.adapters.token_keys import SigningSecret
from invoicing.auth.api_keys import create_api_key, revoke_api_key
from invoicing.auth.principal import KNOWN_SCOPES
from invoicing.auth.tokens import HMAC_ALGORITHM, TokenPolicy, issue_token
from invoicing.clock import utc_now
from invoicing.errors import DomainError
from invoicing.invoices.figures import Reconciliation, reconcile_figures
from invoicing.tenants.model import DEFAULT_NUMBER_FORMAT, NewTenant, Tenant
from invoicing.tenants.service import ensure_tenant

DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class Target:
    """Where the stack's table and signing secret are, and how its tokens must look."""

    table_name: str
    token_secret_id: str
    token_policy: TokenPolicy
    sender_email: str
    external_issuer: bool
    stack: StackResources


def local_target(state_dir: Path) -> Target:
    from devtools.stack.state import read_stack_state

    state = read_stack_state(state_dir)
    os.environ.update(
        AWS_ENDPOINT_URL=state.moto_endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=state.region,
        AWS_REGION=state.region,
    )
    deployment = local_deployment(state.parameters)
    return Target(
        table_name=deployment.ref("InvoicingTable"),
        token_secret_id=deployment.ref("TokenSigningSecret"),
        token_policy=TokenPolicy(
            issuer=deployment.parameter("JwtIssuer"),
            audience=deployment.parameter("JwtAudience"),
            algorithms=(HMAC_ALGORITHM,),
        ),
        sender_email=deployment.parameter("SenderEmail"),
        external_issuer=bool(deployment.parameter("JwksUrl")),
        stack=LocalStack(deployment, state.moto_endpoint),
    )


def deployed_target(stack_name: str, region: str) -> Target:
    import boto3

    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    stack = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack_name)[
        "Stacks"
    ][0]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    parameters = {
        item["ParameterKey"]: item.get("ParameterValue", "") for item in stack.get("Parameters", [])
    }
    return Target(
        table_name=outputs["TableName"],
        token_secret_id=outputs["TokenSecretArn"],
        token_policy=TokenPolicy(
            issuer=parameters["JwtIssuer"], audience=parameters["JwtAudience"], algorithms=(HMAC_ALGORITHM,)
        ),
        sender_email=parameters["SenderEmail"],
        external_issuer=bool(parameters.get("JwksUrl")),
        stack=DeployedStack(stack_name, region),
    )


def _ensure_tenant(target: Target, arguments: argparse.Namespace) -> Tenant:
    tenant = ensure_tenant(
        DynamoTenantRepository(target.table_name),
        NewTenant(
            tenant_id=arguments.tenant,
            name=arguments.name or arguments.tenant,
            default_currency=arguments.currency,
            sender_email=arguments.sender_email or target.sender_email,
            number_format=arguments.number_format,
            yearly_number_reset=not arguments.continuous_numbers,
            reminder_body=arguments.reminder_body,
        ),
        now=utc_now(),
    )
    print(f"tenant {tenant.tenant_id}: clientId {tenant.client_id}, {tenant.name}, {tenant.default_currency}")
    return tenant


def command_create_tenant(target: Target, arguments: argparse.Namespace) -> str:
    return _ensure_tenant(target, arguments).tenant_id


def utc_moment(text: str) -> datetime:
    """An ISO 8601 time as given on the command line, UTC unless it names its offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _expiry(arguments: argparse.Namespace, now: datetime) -> datetime | None:
    if arguments.expires_in_days is not None:
        return now + timedelta(days=arguments.expires_in_days)
    expires_at: datetime | None = arguments.expires_at
    return expires_at


def _authorizer_cache_seconds() -> int:
    return local_deployment().authorizer_function()[2]


def command_create_api_key(target: Target, arguments: argparse.Namespace) -> str:
    tenant = _ensure_tenant(target, arguments)
    now = utc_now()
    expires_at = _expiry(arguments, now)
    credentials = create_api_key(
        DynamoTenantRepository(target.table_name),
        tenant.tenant_id,
        arguments.scopes.split(),
        now=now,
        expires_at=expires_at,
    )
    lifetime = f"expires {expires_at.isoformat()}" if expires_at else "never expires"
    print(
        f"API key {credentials.key_id} (scopes: {arguments.scopes}, {lifetime});",
        "the secret is shown only once",
    )
    return f"{credentials.key_id}:{credentials.secret}"


def command_revoke_api_key(target: Target, arguments: argparse.Namespace) -> str:
    record = revoke_api_key(DynamoTenantRepository(target.table_name), arguments.key_id, now=utc_now())
    print(
        f"API key {record.key_id} of {record.tenant_id} revoked at {record.revoked_at}; "
        f"a decision API Gateway cached for it ends within {_authorizer_cache_seconds()} s"
    )
    return record.key_id


def command_set_mail_quota(target: Target, arguments: argparse.Namespace) -> str:
    per_day = None if arguments.default else arguments.per_day
    if per_day is not None and per_day < 0:
        raise SystemExit("--per-day is a count of mails: 0 or more.")
    tenant = DynamoTenantRepository(target.table_name).set_mail_quota(arguments.tenant, per_day)
    if tenant.mail_quota_per_day is None:
        return f"{tenant.tenant_id}: the stack's default mails per UTC day (DefaultMailQuotaPerDay)"
    return f"{tenant.tenant_id}: {tenant.mail_quota_per_day} mails per UTC day"


def command_set_sms_quota(target: Target, arguments: argparse.Namespace) -> str:
    per_day = None if arguments.default else arguments.per_day
    if per_day is not None and per_day < 0:
        raise SystemExit("--per-day is a count of text messages: 0 or more.")
    tenant = DynamoTenantRepository(target.table_name).set_sms_quota(arguments.tenant, per_day)
    if tenant.sms_quota_per_day is None:
        return f"{tenant.tenant_id}: the stack's default text messages per UTC day (DefaultSmsQuotaPerDay)"
    return f"{tenant.tenant_id}: {tenant.sms_quota_per_day} text messages per UTC day"


def command_issue_token(target: Target, arguments: argparse.Namespace) -> str:
    if target.external_issuer:
        raise SystemExit("This stack accepts tokens of an external OIDC issuer (JwksUrl); get one there.")
    tenant = _ensure_tenant(target, arguments)
    unknown = set(arguments.scopes.split()) - KNOWN_SCOPES
    if unknown:
        raise SystemExit(
            f"Unknown scopes: {', '.join(sorted(unknown))}. Known: {', '.join(sorted(KNOWN_SCOPES))}"
        )
    lifetime = timedelta(minutes=arguments.lifetime_minutes)
    token = issue_token(
        secret=SigningSecret(target.token_secret_id).value(),
        policy=target.token_policy,
        tenant_id=tenant.tenant_id,
        subject=arguments.subject or f"admin@{tenant.tenant_id}",
        scopes=arguments.scopes,
        now=utc_now(),
        lifetime=lifetime,
    )
    print(f"bearer token for {tenant.tenant_id} (scopes: {arguments.scopes or '-'}), valid {lifetime}")
    return token


def reconciliation_report(result: Reconciliation) -> list[str]:
    """One line per figure that differs: recorded, recomputed and the difference."""
    lines = []
    for status, change in result.difference.counts.items():
        recorded = result.recorded.count_by_status.get(status, 0)
        lines.append(f"count {status}: recorded {recorded}, recomputed {recorded + change} ({change:+})")
    for currency, moved in result.difference.amounts.items():
        for metric, change in moved.items():
            recorded, recomputed = (
                figures.total(metric, currency) for figures in (result.recorded, result.recomputed)
            )
            lines.append(f"{currency} {metric}: recorded {recorded}, recomputed {recomputed} ({change:+})")
    return lines


def command_reconcile_figures(target: Target, arguments: argparse.Namespace) -> str:
    from invoicing.adapters.figures_store import DynamoFiguresRepository
    from invoicing.adapters.invoice_store import DynamoInvoiceRepository

    result = reconcile_figures(
        DynamoInvoiceRepository(target.table_name),
        DynamoFiguresRepository(target.table_name),
        arguments.tenant,
        repair=arguments.repair,
    )
    for line in reconciliation_report(result):
        print(line)
    subject = f"figures of {result.tenant_id}"
    if result.agrees:
        return f"{subject} agree with its {result.invoices} invoices"
    if result.repaired:
        corrected = len(reconciliation_report(result))
        return f"{subject} repaired from its {result.invoices} invoices: {corrected} corrected"
    if not result.settled:
        raise SystemExit(f"{subject} moved while they were recomputed (writes going on); run it again")
    if arguments.repair:
        raise SystemExit(
            f"{subject}: a second recount found another difference (writes going on); run it again"
        )
    raise SystemExit(f"{subject} differ from its {result.invoices} invoices; --repair corrects them")


def command_dead_letters(target: Target, arguments: argparse.Namespace) -> str:
    sqs = target.stack.sqs()
    queues = dead_letter_queues(local_deployment().resources)
    for name, queue in queues.items():
        attributes = sqs.get_queue_attributes(
            QueueUrl=target.stack.queue_url(name), AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        print(f"{name}: {attributes['ApproximateNumberOfMessages']} messages, back to {queue.target}")
    return f"{len(queues)} dead-letter queues"


def command_redrive_dlq(target: Target, arguments: argparse.Namespace) -> str:
    queues = dead_letter_queues(local_deployment().resources)
    if arguments.queue not in queues:
        raise SystemExit(f"{arguments.queue} is no dead-letter queue; they are {', '.join(sorted(queues))}")
    queue = queues[arguments.queue]
    result = redrive(queue, target.stack, arguments.limit)
    for error in result.errors:
        print(f"failed again, left in {queue.queue}: {error}")
    summary = f"{queue.queue}: {result.moved} redriven to {queue.target}, {result.failed} failed again"
    if result.failed:
        raise SystemExit(summary)
    return summary


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m devtools.admin", description=__doc__)
    root.add_argument("--state-dir", type=Path, default=Path(".local"), help="local stack state (make run)")
    root.add_argument("--stack-name", help="a deployed stack instead of the local one")
    root.add_argument("--region", default=os.environ.get("AWS_REGION", REGION))
    commands = root.add_subparsers(dest="command", required=True)

    def with_tenant(name: str, help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--tenant", required=True, help="tenant id, e.g. acme (created when missing)")
        command.add_argument("--name", help="tenant display name (on creation)")
        command.add_argument("--currency", default=DEFAULT_CURRENCY, help="default currency (on creation)")
        command.add_argument("--sender-email", help="sender address (on creation; default: SenderEmail)")
        command.add_argument(
            "--number-format",
            default=DEFAULT_NUMBER_FORMAT,
            help="invoice numbers, with {sequence} and optionally {year} (on creation; default %(default)s)",
        )
        command.add_argument(
            "--continuous-numbers", action="store_true", help="never restart the sequence at a new year"
        )
        command.add_argument(
            "--reminder-body", help="what reminders say unless the invoice has a reminderBody (on creation)"
        )
        return command

    with_tenant("create-tenant", "create a tenant unless it exists")
    api_key = with_tenant("create-api-key", "create an API key; prints keyId:secret last")
    api_key.add_argument("--scopes", default=" ".join(sorted(KNOWN_SCOPES)))
    expiry = api_key.add_mutually_exclusive_group()
    expiry.add_argument("--expires-in-days", type=int, help="refuse the key after this many days")
    expiry.add_argument(
        "--expires-at", type=utc_moment, help="refuse the key from this ISO 8601 time (UTC unless it says)"
    )
    revoke = commands.add_parser("revoke-api-key", help="revoke an API key for good; prints its id last")
    revoke.add_argument("--key-id", required=True, help="the keyId part of keyId:secret, e.g. ak_...")
    token = with_tenant("issue-token", "issue a bearer token; prints it last")
    token.add_argument("--scopes", default=" ".join(sorted(KNOWN_SCOPES)))
    token.add_argument("--subject", help="the token's sub (default admin@<tenant>)")
    token.add_argument("--lifetime-minutes", type=int, default=60)
    reconcile = commands.add_parser(
        "reconcile-figures",
        help="recompute a tenant's figures from its invoices; report the difference, or --repair it",
    )
    reconcile.add_argument("--tenant", required=True, help="tenant id")
    reconcile.add_argument("--repair", action="store_true", help="correct the recorded figures")
    quota = commands.add_parser("set-mail-quota", help="how many mails the API accepts a day for a tenant")
    quota.add_argument("--tenant", required=True, help="tenant id (it must exist)")
    per_day = quota.add_mutually_exclusive_group(required=True)
    per_day.add_argument("--per-day", type=int, help="mails per UTC day (0 stops the tenant's mail)")
    per_day.add_argument("--default", action="store_true", help="back to the stack's DefaultMailQuotaPerDay")
    sms_quota = commands.add_parser(
        "set-sms-quota", help="how many text messages the API accepts a day for a tenant"
    )
    sms_quota.add_argument("--tenant", required=True, help="tenant id (it must exist)")
    sms_per_day = sms_quota.add_mutually_exclusive_group(required=True)
    sms_per_day.add_argument(
        "--per-day", type=int, help="text messages per UTC day (0 stops the tenant's SMS)"
    )
    sms_per_day.add_argument(
        "--default", action="store_true", help="back to the stack's DefaultSmsQuotaPerDay"
    )
    commands.add_parser(
        "dead-letters", help="every dead-letter queue: its messages and where they go back to"
    )
    redrive_dlq = commands.add_parser(
        "redrive-dlq",
        help="move a DLQ's messages back to their queue, or run their function with each (RUNBOOK.md)",
    )
    redrive_dlq.add_argument(
        "--queue", required=True, help="the DLQ's logical id, e.g. DeliveryDeadLetterQueue"
    )
    redrive_dlq.add_argument(
        "--limit", type=int, default=100, help="at most this many messages (default 100)"
    )
    return root


COMMANDS = {
    "create-tenant": command_create_tenant,
    "create-api-key": command_create_api_key,
    "revoke-api-key": command_revoke_api_key,
    "issue-token": command_issue_token,
    "reconcile-figures": command_reconcile_figures,
    "set-mail-quota": command_set_mail_quota,
    "set-sms-quota": command_set_sms_quota,
    "dead-letters": command_dead_letters,
    "redrive-dlq": command_redrive_dlq,
}


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    from devtools.stack.state import StackNotRunningError

    try:
        if arguments.stack_name:
            target = deployed_target(arguments.stack_name, arguments.region)
        else:
            target = local_target(arguments.state_dir)
    except StackNotRunningError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        result = COMMANDS[arguments.command](target, arguments)
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
