"""The services a function can ask for, one class per kind of settings. Each adapter is imported
and built on first use, so a function pays at cold start only for what its requests touch."""

from __future__ import annotations

import time
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from invoicing.settings import (
    AuthorizerSettings,
    DeliverySettings,
    DocumentsSettings,
    FunctionSettings,
    MailQueueSettings,
    MailRequestSettings,
    NotificationSettings,
    PaymentProcessorSettings,
    PublicPageSettings,
    SchedulingSettings,
    SearchSettings,
    TableSettings,
)

if TYPE_CHECKING:
    from invoicing.adapters.delivery_queue import SqsDeliveryQueue
    from invoicing.adapters.document_store import S3DocumentStore
    from invoicing.adapters.exports import S3Exports
    from invoicing.adapters.figures_store import DynamoFiguresRepository
    from invoicing.adapters.invoice_numbers import DynamoInvoiceNumbers
    from invoicing.adapters.invoice_search import DynamoInvoiceSearch
    from invoicing.adapters.invoice_store import DynamoInvoiceRepository
    from invoicing.adapters.mail_outbox import DynamoMailOutbox
    from invoicing.adapters.payment_records import DynamoPaymentRecords
    from invoicing.adapters.public_links import DynamoPublicLinks
    from invoicing.adapters.sandbox_processor import SandboxProcessor
    from invoicing.adapters.settings_store import DynamoSettingsRepository
    from invoicing.adapters.suppressions import DynamoSuppressionList
    from invoicing.adapters.tenant_store import DynamoTenantRepository
    from invoicing.auth.authenticator import Authenticator
    from invoicing.documents.attachments import Attachments
    from invoicing.documents.downloads import InvoicePdfs
    from invoicing.invoices.dashboard import Dashboard
    from invoicing.invoices.editing import InvoiceEditing
    from invoicing.invoices.finding import InvoiceFinder
    from invoicing.invoices.model import Invoice
    from invoicing.invoices.seed_views import SeedInvoiceViews
    from invoicing.invoices.transitions import InvoiceTransitions
    from invoicing.mail.delivery import MailDelivery
    from invoicing.mail.relay import OutboxRelay
    from invoicing.mail.reports import DeliveryReports
    from invoicing.mail.requests import InvoiceMail
    from invoicing.notifications.requests import Notifications
    from invoicing.overdue.job import OverdueJob
    from invoicing.payments.paying import InvoicePayments
    from invoicing.payments.settlement import PaymentEvents
    from invoicing.public_links.keys import LinkKeys
    from invoicing.public_links.page import HostedInvoicePage
    from invoicing.public_links.urls import PublicLinks, PublicUrls
    from invoicing.recurring.issuing import RecurringInvoices
    from invoicing.scheduling.delivery import ScheduledSending
    from invoicing.scheduling.requests import Scheduling
    from invoicing.tenants.settings import TenantSettings
    from invoicing.wiring.telemetry import PowertoolsTelemetry


class Services:
    """No AWS resource: a function that only reads its caller (me, docs)."""

    settings_type: ClassVar[type[FunctionSettings]] = FunctionSettings

    def __init__(self, settings: FunctionSettings) -> None:
        self.settings = settings

    def prepare(self) -> None:
        """Build at init what every request needs: Lambda runs the init at full CPU, the first
        request at the function's share of it."""


class TableServices(Services):
    """The stores on the table."""

    settings_type: ClassVar[type[FunctionSettings]] = TableSettings
    settings: TableSettings

    def prepare(self) -> None:
        """Every request reads the table: import PynamoDB and build a DynamoDB client now (the one
        session keeps botocore's service model and endpoint rules for the stores' clients)."""
        from invoicing.adapters.dynamodb import transaction_connection

        transaction_connection().client  # noqa: B018 - built for its side effect

    @cached_property
    def invoices(self) -> DynamoInvoiceRepository:
        from invoicing.adapters.invoice_store import DynamoInvoiceRepository

        return DynamoInvoiceRepository(self.settings.table_name, public_links=self.public_link_items)

    @cached_property
    def link_keys(self) -> LinkKeys:
        from invoicing.adapters.token_keys import SigningSecret
        from invoicing.public_links.keys import LinkKeys

        return LinkKeys(SigningSecret(self.settings.public_link_secret_arn).value)

    @cached_property
    def public_link_items(self) -> DynamoPublicLinks | None:
        """The lookups of public links, kept by the invoice store (none without the link secret)."""
        from invoicing.adapters.public_links import DynamoPublicLinks

        if not self.settings.public_link_secret_arn:
            return None
        return DynamoPublicLinks(self.settings.table_name, self.link_keys)

    @cached_property
    def public_links(self) -> PublicLinks:
        """An invoice's fullUrl and shortUrl."""
        from invoicing.public_links.urls import PublicLinks

        return PublicLinks(self.link_keys, self.settings.public_base_url)

    @cached_property
    def tenants(self) -> DynamoTenantRepository:
        from invoicing.adapters.tenant_store import DynamoTenantRepository

        return DynamoTenantRepository(self.settings.table_name)

    @cached_property
    def tenant_settings(self) -> DynamoSettingsRepository:
        from invoicing.adapters.settings_store import DynamoSettingsRepository

        return DynamoSettingsRepository(self.settings.table_name)

    @cached_property
    def numbers(self) -> DynamoInvoiceNumbers:
        from invoicing.adapters.invoice_numbers import DynamoInvoiceNumbers

        return DynamoInvoiceNumbers(self.settings.table_name)

    @cached_property
    def figures(self) -> DynamoFiguresRepository:
        from invoicing.adapters.figures_store import DynamoFiguresRepository

        return DynamoFiguresRepository(self.settings.table_name)

    @cached_property
    def dashboard(self) -> Dashboard:
        from invoicing.invoices.dashboard import Dashboard

        return Dashboard(self.figures, self.invoices, self.tenants)

    @cached_property
    def transitions(self) -> InvoiceTransitions:
        from invoicing.invoices.transitions import InvoiceTransitions

        return InvoiceTransitions(self.invoices, self.tenants, self.tenant_settings)


class InvoiceViewServices(TableServices):
    """Seed 003's reads: `seed_views` answers its invoice shape and each payment method's price."""

    @cached_property
    def seed_views(self) -> SeedInvoiceViews:
        from invoicing.invoices.seed_views import SeedInvoiceViews

        def settings_of(tenant_id: str) -> TenantSettings:
            return self.tenant_settings.get(tenant_id).settings

        def urls_of(invoice: Invoice, base_url: str) -> PublicUrls | None:
            return self.public_links.urls(invoice, request_base_url=base_url)

        return SeedInvoiceViews(self.invoices, settings_of, urls_of)


class PaymentServices(TableServices):
    """Card and ACH payments through the processor (the built-in sandbox): `invoice_payments`, and
    `payment_events` for the processor's signed webhook events."""

    settings_type: ClassVar[type[FunctionSettings]] = PaymentProcessorSettings
    settings: PaymentProcessorSettings

    @cached_property
    def payment_records(self) -> DynamoPaymentRecords:
        from invoicing.adapters.payment_records import DynamoPaymentRecords

        return DynamoPaymentRecords(self.settings.table_name)

    @cached_property
    def payment_processor(self) -> SandboxProcessor:
        from invoicing.adapters.sandbox_processor import SandboxProcessor
        from invoicing.adapters.token_keys import SigningSecret

        secret = SigningSecret(self.settings.payment_webhook_secret_arn)
        return SandboxProcessor(self.settings.table_name, secret.value)

    @cached_property
    def invoice_payments(self) -> InvoicePayments:
        from invoicing.payments.balances import MethodBalances
        from invoicing.payments.paying import InvoicePayments
        from invoicing.tenants.model import require_tenant
        from invoicing.wiring.telemetry import PowertoolsTelemetry

        balances = MethodBalances(lambda tenant_id: self.tenant_settings.get(tenant_id).settings.payments)
        return InvoicePayments(
            self.invoices,
            self.payment_records,
            self.payment_processor,
            balances,
            merchant_of=lambda tenant_id: require_tenant(self.tenants, tenant_id).name,
            telemetry=PowertoolsTelemetry(),
        )

    @cached_property
    def payment_events(self) -> PaymentEvents:
        from invoicing.payments.settlement import PaymentEvents

        return PaymentEvents(self.invoices, self.payment_records, self.payment_processor)


class DocumentServices(TableServices):
    """The stores, and the bucket of PDFs and attachments."""

    settings_type: ClassVar[type[FunctionSettings]] = DocumentsSettings
    settings: DocumentsSettings

    @cached_property
    def documents(self) -> S3DocumentStore:
        from invoicing.adapters.document_store import S3DocumentStore

        return S3DocumentStore(self.settings.bucket_name)

    @cached_property
    def invoice_pdfs(self) -> InvoicePdfs:
        from invoicing.documents.downloads import InvoicePdfs
        from invoicing.documents.rendering import CurrentPdfs

        current = CurrentPdfs(self.invoices, self.tenants, self.documents, settings=self.tenant_settings)
        return InvoicePdfs(self.invoices, current, self.documents)

    @cached_property
    def attachments(self) -> Attachments:
        from invoicing.documents.attachments import Attachments

        return Attachments(self.invoices, self.documents)


class PublicPageServices(PaymentServices, DocumentServices):
    """The hosted invoice page: `public_page` opens, pays and downloads by a link's token alone."""

    settings_type = PublicPageSettings
    settings: PublicPageSettings

    @cached_property
    def public_page(self) -> HostedInvoicePage:
        from invoicing.adapters.public_links import DynamoPublicLinks
        from invoicing.adapters.rate_limits import DynamoRateLimits
        from invoicing.payments.balances import MethodBalances
        from invoicing.public_links.page import HostedInvoicePage, Limits

        settings = self.settings
        return HostedInvoicePage(
            self.invoices,
            DynamoPublicLinks(settings.table_name, self.link_keys),
            self.link_keys,
            self.public_links,
            DynamoRateLimits(settings.table_name),
            MethodBalances(lambda tenant_id: self.tenant_settings.get(tenant_id).settings.payments),
            payments=lambda: self.invoice_payments,
            pdfs=lambda: self.invoice_pdfs,
            pdf_links=lambda: self.documents,
            seller_of=lambda tenant_id: self.tenant_settings.get(tenant_id).settings.seller,
            rate=Limits(settings.public_requests_per_token, settings.public_requests_per_client),
        )


class SearchServices(TableServices):
    """The stores, the listing indexes, and the bucket that holds large exports."""

    settings_type = SearchSettings
    settings: SearchSettings

    @cached_property
    def search_index(self) -> DynamoInvoiceSearch:
        from invoicing.adapters.invoice_search import DynamoInvoiceSearch

        return DynamoInvoiceSearch(self.settings.table_name)

    @cached_property
    def exports(self) -> S3Exports:
        from invoicing.adapters.exports import S3Exports

        return S3Exports(self.settings.bucket_name)

    @cached_property
    def invoice_finder(self) -> InvoiceFinder:
        from invoicing.invoices.finding import InvoiceFinder

        return InvoiceFinder(
            self.search_index,
            self.invoices,
            self.exports,
            csv_inline_limit_bytes=self.settings.csv_inline_limit_bytes,
        )


class AuthorizerServices(TableServices):
    """The authenticator: tenants and their API keys, and the keys that verify tokens (the stack's
    signing secret, or an external issuer's JWKS)."""

    settings_type = AuthorizerSettings
    settings: AuthorizerSettings

    @cached_property
    def authenticator(self) -> Authenticator:
        from invoicing.adapters.token_keys import JwksKeys, SigningSecret
        from invoicing.auth.authenticator import Authenticator
        from invoicing.auth.tokens import ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHM, TokenPolicy

        settings = self.settings
        external_issuer = bool(settings.jwks_url)
        return Authenticator(
            tenants=self.tenants,
            token_policy=TokenPolicy(
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                algorithms=ASYMMETRIC_ALGORITHMS if external_issuer else (HMAC_ALGORITHM,),
            ),
            resolve_token_key=(
                JwksKeys(settings.jwks_url).resolver()
                if external_issuer
                else SigningSecret(settings.token_secret_arn).resolver()
            ),
        )


class OutboxServices(TableServices):
    """The mail outbox and the suppression list, and where mail use cases count and note things."""

    @cached_property
    def outbox(self) -> DynamoMailOutbox:
        from invoicing.adapters.mail_outbox import DynamoMailOutbox

        return DynamoMailOutbox(self.settings.table_name)

    @cached_property
    def suppressions(self) -> DynamoSuppressionList:
        from invoicing.adapters.suppressions import DynamoSuppressionList

        return DynamoSuppressionList(self.settings.table_name)

    @cached_property
    def telemetry(self) -> PowertoolsTelemetry:
        from invoicing.wiring.telemetry import PowertoolsTelemetry

        return PowertoolsTelemetry()


class MailEventServices(OutboxServices):
    """What SES reports of mail, recorded on invoices; `sleep` is how it waits for the worker's write."""

    sleep = staticmethod(time.sleep)

    @cached_property
    def delivery_reports(self) -> DeliveryReports:
        from invoicing.mail.reports import DeliveryReports

        return DeliveryReports(
            self.invoices, self.outbox, self.suppressions, self.telemetry, sleep=self.sleep
        )


class RelayServices(OutboxServices):
    """The outbox and the delivery queue it feeds."""

    settings_type: ClassVar[type[FunctionSettings]] = MailQueueSettings
    settings: MailQueueSettings

    @cached_property
    def delivery_queue(self) -> SqsDeliveryQueue:
        from invoicing.adapters.delivery_queue import SqsDeliveryQueue

        return SqsDeliveryQueue(self.settings.delivery_queue_url)

    @cached_property
    def outbox_relay(self) -> OutboxRelay:
        from invoicing.mail.relay import OutboxRelay

        return OutboxRelay(self.invoices, self.outbox, self.delivery_queue, self.telemetry)


class MailRequestServices(DocumentServices, RelayServices):
    """Asking for invoice mail (the delivery routes, and jobs that mail invoices): `invoice_mail`."""

    settings_type = MailRequestSettings
    settings: MailRequestSettings

    @cached_property
    def invoice_mail(self) -> InvoiceMail:
        from invoicing.adapters.mail_quota import DynamoMailQuota
        from invoicing.mail.requests import InvoiceMail

        return InvoiceMail(
            self.invoices,
            self.tenants,
            self.tenant_settings,
            self.numbers,
            self.documents,
            self.outbox,
            self.delivery_queue,
            self.suppressions,
            DynamoMailQuota(self.settings.table_name),
            self.telemetry,
            default_quota_per_day=self.settings.default_mail_quota_per_day,
        )


class NotificationServices(MailRequestServices):
    """Seed 003's notification routes: `notifications` queues an e-mail or a text message."""

    settings_type = NotificationSettings
    settings: NotificationSettings

    @cached_property
    def notifications(self) -> Notifications:
        from invoicing.adapters.mail_quota import SMS_QUOTA_PREFIX, DynamoMailQuota
        from invoicing.adapters.text_messages import SnsTextMessages
        from invoicing.notifications.requests import Notifications

        table = self.settings.table_name
        return Notifications(
            self.invoices,
            self.tenants,
            self.outbox,
            self.delivery_queue,
            self.suppressions,
            SnsTextMessages(),
            DynamoMailQuota(table),
            DynamoMailQuota(table, SMS_QUOTA_PREFIX),
            self.telemetry,
            default_mail_quota_per_day=self.settings.default_mail_quota_per_day,
            default_sms_quota_per_day=self.settings.default_sms_quota_per_day,
        )


class RecurringServices(MailRequestServices):
    """The recurring job: `recurring_invoices` issues what the templates have due, and mails it."""

    @cached_property
    def recurring_invoices(self) -> RecurringInvoices:
        from invoicing.adapters.invoice_jobs import DynamoInvoiceJobs
        from invoicing.recurring.issuing import RecurringInvoices

        return RecurringInvoices(
            self.invoices, DynamoInvoiceJobs(self.settings.table_name), self.invoice_mail, self.telemetry
        )


class OverdueServices(MailRequestServices):
    """The overdue job: `overdue_job` moves overdue invoices and queues their reminders."""

    @cached_property
    def overdue_job(self) -> OverdueJob:
        from invoicing.adapters.invoice_jobs import DynamoInvoiceJobs
        from invoicing.overdue.job import OverdueJob
        from invoicing.overdue.policy import ReminderSettings

        def reminders_of(tenant_id: str) -> ReminderSettings:
            return self.tenant_settings.get(tenant_id).settings.reminders

        jobs = DynamoInvoiceJobs(self.settings.table_name)
        return OverdueJob(self.invoices, jobs, reminders_of, self.invoice_mail, self.telemetry)


class DeliveryServices(DocumentServices, OutboxServices):
    """The delivery worker: `mail_delivery` sends each queued mail through SES."""

    settings_type = DeliverySettings
    settings: DeliverySettings

    @cached_property
    def mail_delivery(self) -> MailDelivery:
        from invoicing.adapters.delivery_queue import SqsRedelivery
        from invoicing.adapters.mail_sender import SesMailSender
        from invoicing.adapters.text_messages import SnsTextMessages
        from invoicing.mail.delivery import DeliveryPolicy, MailDelivery

        settings = self.settings
        return MailDelivery(
            self.invoices,
            self.tenants,
            self.documents,
            self.outbox,
            SqsRedelivery(),
            self.suppressions,
            SesMailSender(configuration_set=settings.mail_configuration_set),
            self.telemetry,
            DeliveryPolicy(
                sender_email=settings.sender_email,
                attempts=settings.delivery_max_attempts,
                retry_base_seconds=settings.delivery_retry_base_seconds,
                sms_sender_id=settings.sms_sender_id,
            ),
            tenant_settings=self.tenant_settings,
            texts=SnsTextMessages(),
            links=self.public_links,
        )


class SchedulingServices(DocumentServices):
    """The scheduling routes: `scheduling` changes invoices and keeps their one-time schedules."""

    settings_type = SchedulingSettings
    settings: SchedulingSettings

    @cached_property
    def scheduling(self) -> Scheduling:
        from invoicing.adapters.send_schedules import EventBridgeSendSchedules, SendTarget
        from invoicing.scheduling.requests import Scheduling
        from invoicing.wiring.telemetry import PowertoolsTelemetry

        settings = self.settings
        target = SendTarget(
            group_name=settings.send_schedule_group,
            function_arn=settings.scheduled_send_function_arn,
            role_arn=settings.scheduler_role_arn,
            dead_letter_queue_arn=settings.send_schedule_dead_letter_queue_arn,
        )
        return Scheduling(
            self.invoices, EventBridgeSendSchedules(target), self.documents, PowertoolsTelemetry()
        )


class InvoiceServices(SchedulingServices):
    """The invoice routes: `invoice_editing` creates, changes and deletes invoices, and moves a
    scheduled invoice's send schedule when an update moves its date."""

    @cached_property
    def invoice_editing(self) -> InvoiceEditing:
        from invoicing.invoices.editing import InvoiceEditing

        return InvoiceEditing(
            self.invoices,
            self.tenants,
            self.tenant_settings,
            self.documents,
            follow_send_schedule=lambda invoice: self.scheduling.follow(invoice),
        )


class ScheduledSendServices(MailRequestServices):
    """The scheduled send and its sweep: `scheduled_sending` publishes and mails what is due."""

    @cached_property
    def scheduled_sending(self) -> ScheduledSending:
        from invoicing.adapters.invoice_jobs import DynamoInvoiceJobs
        from invoicing.scheduling.delivery import ScheduledSending

        return ScheduledSending(
            self.invoices,
            self.tenants,
            self.tenant_settings,
            self.invoice_mail,
            DynamoInvoiceJobs(self.settings.table_name),
            self.telemetry,
        )
