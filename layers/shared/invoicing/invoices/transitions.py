"""The lifecycle function's use cases: publishing (numbered, issued by the tenant's current seller),
cancelling, payments and credit notes. The rules are `lifecycle` and `credit_notes`; how a change
reaches storage and when it is retried is `workflow`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

from invoicing.clock import utc_now
from invoicing.invoices import edits, lifecycle, workflow
from invoicing.invoices.credit_notes import CreditNoteRequest
from invoicing.invoices.enums import PaymentMethod
from invoicing.invoices.kernel import Actor, Change, ChangeFunction
from invoicing.invoices.model import ApiModel, Invoice, PaymentAmount, Timestamp
from invoicing.invoices.publishing import PublishRequest, publish_fields
from invoicing.tenants.model import TenantLookup, require_tenant
from invoicing.tenants.settings import SettingsStore, current_seller


class Payment(ApiModel):
    amount: PaymentAmount
    date: Timestamp | None = None
    paymentMethod: PaymentMethod = PaymentMethod.BANK_TRANSFER


class InvoiceTransitions:
    def __init__(
        self,
        invoices: workflow.CreditNoteStore,
        tenants: TenantLookup,
        settings: SettingsStore,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._invoices = invoices
        self._tenants = tenants
        self._settings = settings
        self._clock = clock

    def publish(self, actor: Actor, invoice_id: str, request: PublishRequest | None = None) -> Invoice:
        """Number the invoice and mark it SENT, after the changes `request` asks for (seed 003's
        update-and-publish) if given, in one transaction."""
        tenant = require_tenant(self._tenants, actor.tenant_id)
        now = self._clock()
        prepare = None
        if request is not None:

            def prepare(current: Invoice) -> Change:
                fields = publish_fields(request, current, now)
                return edits.update_invoice(current, fields, actor=actor, now=now)

        return workflow.publish_invoice(
            self._invoices,
            lifecycle.NumberingPolicy.of(tenant),
            actor.tenant_id,
            invoice_id,
            actor=actor,
            now=now,
            prepare=prepare,
            seller=current_seller(self._settings, tenant),
        )

    def issue_credit_note(self, actor: Actor, invoice_id: str, request: CreditNoteRequest) -> Invoice:
        return workflow.issue_credit_note(
            self._invoices, actor.tenant_id, invoice_id, request, actor=actor, now=self._clock()
        )

    def _change(self, actor: Actor, invoice_id: str, change: ChangeFunction) -> Invoice:
        """Re-checked against the fresh invoice, so retried when another request changed it."""
        return workflow.change_as(self._invoices, actor, invoice_id, change, retry=True)

    def cancel(self, actor: Actor, invoice_id: str) -> Invoice:
        return self._change(
            actor, invoice_id, lambda current, by: lifecycle.cancel(current, actor=by, now=self._clock())
        )

    def add_payment(self, actor: Actor, invoice_id: str, payment: Payment) -> Invoice:
        now = self._clock()
        return self._change(
            actor,
            invoice_id,
            lambda current, by: lifecycle.add_payment(
                current, payment.amount, payment.date or now, payment.paymentMethod, actor=by, now=now
            ),
        )

    def remove_payment(self, actor: Actor, invoice_id: str, transaction_id: str) -> Invoice:
        return self._change(
            actor,
            invoice_id,
            lambda current, by: lifecycle.remove_payment(
                current, transaction_id, actor=by, now=self._clock()
            ),
        )

    def mark_as_paid(
        self,
        actor: Actor,
        invoice_id: str,
        paid_date: date | None = None,
        method: PaymentMethod = PaymentMethod.OTHER,
    ) -> Invoice:
        """The outstanding balance paid by `method` on `paid_date` (midnight UTC), else now."""
        now = self._clock()
        paid_on = datetime.combine(paid_date, time(), UTC) if paid_date is not None else now
        return self._change(
            actor,
            invoice_id,
            lambda current, by: lifecycle.mark_as_paid(current, paid_on, actor=by, now=now, method=method),
        )

    def unmark_as_paid(self, actor: Actor, invoice_id: str) -> Invoice:
        return self._change(
            actor,
            invoice_id,
            lambda current, by: lifecycle.unmark_as_paid(current, actor=by, now=self._clock()),
        )
