"""The services a function can ask for, one class per kind of settings. Each adapter is imported
and built on first use, so a function pays at cold start only for what its requests touch."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from invoicing.settings import DocumentsSettings, FunctionSettings, TableSettings

if TYPE_CHECKING:
    from invoicing.adapters.document_store import S3DocumentStore
    from invoicing.adapters.figures_store import DynamoFiguresRepository
    from invoicing.adapters.invoice_numbers import DynamoInvoiceNumbers
    from invoicing.adapters.invoice_store import DynamoInvoiceRepository
    from invoicing.adapters.settings_store import DynamoSettingsRepository
    from invoicing.adapters.tenant_store import DynamoTenantRepository


class Services:
    """No AWS resource: a function that only reads its caller (me, docs)."""

    settings_type: ClassVar[type[FunctionSettings]] = FunctionSettings

    def __init__(self, settings: FunctionSettings) -> None:
        self.settings = settings


class TableServices(Services):
    """The stores on the table."""

    settings_type = TableSettings
    settings: TableSettings

    @cached_property
    def invoices(self) -> DynamoInvoiceRepository:
        from invoicing.adapters.invoice_store import DynamoInvoiceRepository

        return DynamoInvoiceRepository(self.settings.table_name)

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


class DocumentServices(TableServices):
    """The stores, and the bucket of PDFs and attachments."""

    settings_type = DocumentsSettings
    settings: DocumentsSettings

    @cached_property
    def documents(self) -> S3DocumentStore:
        from invoicing.adapters.document_store import S3DocumentStore

        return S3DocumentStore(self.settings.bucket_name)
