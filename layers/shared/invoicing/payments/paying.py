"""Paying an invoice by card or ACH: validate, reserve the invoice, check the amount against the
method's balance, charge once, record.

Never charged twice:
- a conditional write reserves the invoice before the processor is called: a parallel attempt is
  `PaymentInProgress` (409) and never reaches the processor;
- the processor call carries an idempotency key derived from the request's Idempotency-Key (else the
  reservation's attempt), so a retry after the processor charged gets the first charge back;
- a reservation older than its lease was left by a crash: the processor is asked what became of its
  charge, which is recorded (or not) before the invoice is reserved again;
- the invoice records a charge once (by the processor's transaction id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from invoicing.clock import utc_now
from invoicing.errors import Conflict, PaymentDeclined, Unprocessable
from invoicing.invoices.calculator import MethodPrice
from invoicing.invoices.enums import OWED_STATUSES, EventType, PaymentMethod
from invoicing.invoices.kernel import Actor, NewId, new_id
from invoicing.invoices.model import Invoice
from invoicing.invoices.workflow import InvoiceStore
from invoicing.mail.ports import Telemetry
from invoicing.money import is_exact
from invoicing.payments.balances import MethodPricing, PaymentShare, share_of
from invoicing.payments.charging import OneCharge
from invoicing.payments.processor import (
    Charge,
    ChargeRequest,
    ChargeStatus,
    Funding,
    PaymentProcessor,
    PaymentToken,
)
from invoicing.payments.recording import record_attempt
from invoicing.payments.records import (
    AchAuthorization,
    ChargeState,
    PaymentRecord,
    PaymentRecords,
    Reservation,
    SavedCustomer,
    SavedMethod,
)
from invoicing.payments.requests import (
    AchPaymentRequest,
    CardPaymentRequest,
    PaymentAnswer,
    PaymentBody,
    request_hash,
)
from invoicing.payments.validation import valid_bank_account, valid_card

ACH_AUTHORIZATION = (
    "I authorize {merchant} to debit {amount} {currency} from my bank account ending in {last4} "
    "for invoice {invoice}, once."
)


@dataclass(frozen=True)
class PaymentContext:
    """Who pays, and what identifies the request: its Idempotency-Key and the payer's address."""

    actor: Actor
    request_key: str | None = None
    client_ip: str = ""


@dataclass(frozen=True)
class _Attempt:
    context: PaymentContext
    invoice_id: str
    body: PaymentBody
    token: PaymentToken
    method: PaymentMethod
    #: called with the checked invoice, share and reservation before the processor is (ACH's authorization)
    before_charge: Callable[[Invoice, PaymentShare, Reservation], None] | None = None


def ensure_payable(invoice: Invoice) -> None:
    if invoice.status not in OWED_STATUSES:
        raise Conflict(
            "Only invoices in published (Due, Past Due) status and not paid can be paid; "
            f"invoice {invoice.invoiceNumber or invoice.id} is {invoice.status.value}."
        )


def checked_share(invoice: Invoice, balance: MethodPrice, amount: Decimal) -> PaymentShare:
    """The balance for the method, or a positive part of it (a partial payment); else 422 naming
    the expected amount."""
    if amount <= 0 or amount > balance.total or not is_exact(amount, invoice.currency):
        raise Unprocessable(
            f"totalAmount must be the balance for this payment method, {balance.total} {invoice.currency}, "
            "or a positive part of it for a partial payment.",
            field_errors={"totalAmount": [f"Expected {balance.total} (or less, for a partial payment)."]},
        )
    return share_of(balance, amount, invoice.currency)


class InvoicePayments:
    def __init__(
        self,
        invoices: InvoiceStore,
        records: PaymentRecords,
        processor: PaymentProcessor,
        pricing: MethodPricing,
        *,
        merchant_of: Callable[[str], str],
        telemetry: Telemetry,
        clock: Callable[[], datetime] = utc_now,
        make_id: NewId = new_id,
    ) -> None:
        self._invoices = invoices
        self._records = records
        self._processor = processor
        self._pricing = pricing
        self._merchant_of = merchant_of
        self._telemetry = telemetry
        self._clock = clock
        self._one_charge = OneCharge(
            invoices, records, processor, pricing, telemetry, clock=clock, make_id=make_id
        )

    def pay_card(
        self, context: PaymentContext, invoice_id: str, request: CardPaymentRequest
    ) -> PaymentAnswer:
        """A card payment; the card's funding type (from the processor) decides its surcharge."""
        card = valid_card(request, self._clock().date())
        ensure_payable(self._invoices.get(context.actor.tenant_id, invoice_id))
        token = self._processor.tokenize_card(card)
        method = PaymentMethod.CREDIT_CARD if token.funding is Funding.CREDIT else PaymentMethod.DEBIT_CARD
        self._pay(_Attempt(context, invoice_id, request, token, method))
        return self._answer(context, invoice_id, token, save=request.savePaymentMethod)

    def pay_ach(self, context: PaymentContext, invoice_id: str, request: AchPaymentRequest) -> PaymentAnswer:
        """An ACH debit, PENDING until the processor settles or returns it (`PaymentEvents`)."""
        account = valid_bank_account(request)
        ensure_payable(self._invoices.get(context.actor.tenant_id, invoice_id))
        token = self._processor.tokenize_bank_account(account)

        def authorize(invoice: Invoice, share: PaymentShare, reservation: Reservation) -> None:
            text = ACH_AUTHORIZATION.format(
                merchant=self._merchant_of(invoice.tenantId),
                amount=share.paid,
                currency=invoice.currency,
                last4=token.last4,
                invoice=invoice.invoiceNumber or invoice.id,
            )
            self._records.keep_authorization(
                AchAuthorization(
                    invoice.tenantId,
                    invoice.id,
                    reservation.attempt_id,
                    text,
                    self._clock(),
                    context.client_ip,
                    token.last4,
                )
            )

        self._pay(_Attempt(context, invoice_id, request, token, PaymentMethod.ACH, authorize))
        answer = self._answer(context, invoice_id, token, save=request.savePaymentMethod)
        if not request.saveCustomerInfo:
            return answer
        invoice = self._invoices.get(context.actor.tenant_id, invoice_id)
        self._records.save_customer(
            SavedCustomer(
                invoice.tenantId,
                invoice.clientId or invoice.id,
                request.firstName,
                request.lastName,
                request.companyName,
                request.email,
                request.mobileNumber,
                request.addressLine1,
                request.addressLine2,
                request.city,
                request.stateId,
                request.billingPostalCode,
                self._clock(),
            )
        )
        return answer.model_copy(update={"customerInfoSaved": True})

    def _answer(
        self, context: PaymentContext, invoice_id: str, token: PaymentToken, *, save: bool
    ) -> PaymentAnswer:
        if save:
            invoice = self._invoices.get(context.actor.tenant_id, invoice_id)
            self._records.save_method(
                SavedMethod(
                    invoice.tenantId,
                    invoice.clientId or invoice.id,
                    token.token,
                    token.brand,
                    token.last4,
                    token.expiry_month,
                    token.expiry_year,
                    self._clock(),
                )
            )
        return PaymentAnswer(success=True, paymentMethodCreated=save, customerInfoSaved=False)

    def _pay(self, attempt: _Attempt) -> Charge:
        actor = attempt.context.actor
        reservation = self._one_charge.reserve(
            actor, attempt.invoice_id, attempt.context.request_key, attempt.method, attempt.body.totalAmount
        )
        try:
            invoice = self._invoices.get(actor.tenant_id, attempt.invoice_id)
            ensure_payable(invoice)
            share = checked_share(
                invoice, self._pricing.balance(invoice, attempt.method), attempt.body.totalAmount
            )
            if attempt.before_charge is not None:
                attempt.before_charge(invoice, share, reservation)
        except BaseException:
            self._records.release(reservation)
            raise
        # from here a failure keeps the reservation: the processor may have charged (`OneCharge`)
        charge = self._processor.charge(
            ChargeRequest(
                attempt.token.token,
                share.paid,
                invoice.currency,
                reservation.idempotency_key,
                actor.tenant_id,
                invoice.id,
            )
        )
        self._records.put_record(self._record_of(attempt, invoice, share, charge))
        self._settle_attempt(attempt, reservation, invoice, share, charge)
        return charge

    def _record_of(
        self, attempt: _Attempt, invoice: Invoice, share: PaymentShare, charge: Charge
    ) -> PaymentRecord:
        state = {
            ChargeStatus.SUCCEEDED: ChargeState.SUCCEEDED,
            ChargeStatus.PENDING: ChargeState.PENDING,
            ChargeStatus.DECLINED: ChargeState.DECLINED,
        }[charge.status]
        return PaymentRecord(
            invoice.tenantId,
            invoice.id,
            charge.id,
            attempt.method,
            state,
            share.paid,
            share.settles,
            share.surcharge,
            share.cash_discount,
            attempt.token.last4,
            request_hash(attempt.body),
            self._clock(),
        )

    def _settle_attempt(
        self,
        attempt: _Attempt,
        reservation: Reservation,
        invoice: Invoice,
        share: PaymentShare,
        charge: Charge,
    ) -> None:
        actor, now = attempt.context.actor, self._clock()
        if charge.status is ChargeStatus.DECLINED:
            code = charge.decline_code or "declined"
            text = f"{attempt.method.value} payment of {share.paid} {invoice.currency} declined ({code})."
            record_attempt(
                self._invoices,
                actor,
                invoice.id,
                kind=EventType.PAYMENT_FAILED,
                text=text,
                method=attempt.method,
                now=now,
                charge_id=charge.id,
                error_code=code,
            )
            self._records.release(reservation)
            self._note("PaymentDeclined", invoice, attempt.method, charge, decline_code=code)
            raise PaymentDeclined(text, decline_code=code)
        if charge.status is ChargeStatus.PENDING:
            text = f"ACH payment of {share.paid} {invoice.currency} initiated; pending until it settles."
            record_attempt(
                self._invoices,
                actor,
                invoice.id,
                kind=EventType.PAYMENT_PENDING,
                text=text,
                method=attempt.method,
                now=now,
                charge_id=charge.id,
            )
            self._records.hold_for_settlement(reservation, charge.id)
            self._note("PaymentPending", invoice, attempt.method, charge)
            return
        self._one_charge.record_paid_or_refund(actor, invoice.id, charge, attempt.method, share, reservation)
        self._note("PaymentCharged", invoice, attempt.method, charge)

    def _note(
        self, outcome: str, invoice: Invoice, method: PaymentMethod, charge: Charge, **fields: str
    ) -> None:
        """One metric and one log line per outcome: ids and amounts, never a number of the payer's."""
        self._telemetry.count(outcome)
        self._telemetry.info(
            outcome,
            invoice_id=invoice.id,
            method=method.value,
            charge_id=charge.id,
            amount=str(charge.amount),
            **fields,
        )
