"""Environment-variable settings, checked once at cold start."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ConfigurationError(RuntimeError):
    """The function's environment is incomplete; raised at import so the deployment fails loudly."""


class FunctionSettings(BaseModel):
    """Variables every function receives from template.yaml (Globals and its own Environment)."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    powertools_service_name: str
    stage: str


class TableSettings(FunctionSettings):
    """`public_link_secret_arn` keys the invoices' public links; `public_base_url` is the stage's API
    URL they start with (unset: the request's own address)."""

    table_name: str
    idempotency_table_name: str
    public_link_secret_arn: str = ""
    public_base_url: str = ""


def load_settings[S: FunctionSettings](settings_type: type[S]) -> S:
    """Build `settings_type` from the environment (a field's variable is its name in upper case),
    naming every missing or invalid variable. Plain pydantic: pydantic-settings cost ~15 ms at import."""
    variables = {
        name: os.environ[name.upper()] for name in settings_type.model_fields if name.upper() in os.environ
    }
    try:
        return settings_type.model_validate(variables)
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            variable = "_".join(str(part) for part in issue["loc"]).upper()
            reason = "is not set" if issue["type"] == "missing" else f"is invalid: {issue['msg']}"
            problems.append(f"environment variable {variable} {reason}")
        raise ConfigurationError(f"{settings_type.__name__}: " + "; ".join(problems)) from None


class PaymentProcessorSettings(TableSettings):
    """The payments function: the key that signs the processor's webhook events (Secrets Manager)."""

    payment_webhook_secret_arn: str


class AuthorizerSettings(TableSettings):
    """The authorizer: the stack's token signing secret, or an external OIDC issuer's JWKS."""

    token_secret_arn: str
    jwt_issuer: str
    jwt_audience: str
    jwks_url: str = ""


class DocumentsSettings(TableSettings):
    """Functions that read or delete an invoice's PDFs and attachments."""

    bucket_name: str


class PublicPageSettings(PaymentProcessorSettings, DocumentsSettings):
    """The hosted invoice page: requests per minute a link and a client address may make."""

    public_requests_per_token: int = Field(default=60, ge=1)
    public_requests_per_client: int = Field(default=120, ge=1)


class SearchSettings(DocumentsSettings):
    """The search function: exports whose response body would be larger than `csv_inline_limit_bytes`
    go to the bucket (a Lambda response is at most 6 MB)."""

    csv_inline_limit_bytes: int = Field(default=5_000_000, ge=0, le=6_000_000)


class SchedulingSettings(DocumentsSettings):
    """The scheduling routes: the stack's schedule group of one-time send schedules, the function they
    invoke, the role Scheduler invokes it with, and the dead-letter queue of sends it could not deliver."""

    send_schedule_group: str
    scheduled_send_function_arn: str
    scheduler_role_arn: str
    send_schedule_dead_letter_queue_arn: str


class MailQueueSettings(TableSettings):
    """Functions that queue invoice mail for the delivery worker."""

    delivery_queue_url: str


class MailRequestSettings(DocumentsSettings, MailQueueSettings):
    """The delivery routes: they queue mail and store a client's own PDF, at most a tenant's quota
    of mails per UTC day (the tenant's own, else this default)."""

    default_mail_quota_per_day: int = 200


class NotificationSettings(MailRequestSettings):
    """The notification routes: besides mail, at most this many text messages per tenant and UTC day."""

    default_sms_quota_per_day: int = Field(default=50, ge=0)


class DeliverySettings(DocumentsSettings):
    """The delivery worker: the verified SES identity mail is sent from, the configuration set whose
    event destination reports deliveries, bounces and complaints, and how failed sends are retried
    (the queue's maxReceiveCount is the number of attempts)."""

    sender_email: str
    mail_configuration_set: str | None = None
    delivery_retry_base_seconds: int = 30
    delivery_max_attempts: int = 5
    #: the sender id text messages show where the destination country supports one
    sms_sender_id: str | None = None
