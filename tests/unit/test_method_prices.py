"""Each payment method's price of an invoice, through the one calculator, for every channel.

Random issued invoices (0, 2 and 3 minor-unit currencies: JPY, EUR, KWD, ... from the channel
agreement test) and random payment settings: every method's total is the balance plus its surcharge
minus its cash discount, each rounded once by the one rule; a surcharge only for credit cards and a
cash discount only for ACH; and seed 003's view states the total and the balance the API, CSV, mail
and PDF state.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicing.api import json_numbers
from invoicing.invoices.calculator import MethodPrice, method_price
from invoicing.invoices.seed_views import seed_invoice
from invoicing.money import is_exact, round_money
from invoicing.payments.method_prices import PaymentMethodOption, PaymentSettings, price_for
from invoicing.tenants.settings import TenantSettings
from tests.unit.test_channel_agreement import CHANNELS, PDF_CHANNELS, issued_invoices

D = Decimal

payment_settings = st.builds(
    PaymentSettings,
    creditCardSurchargePercentage=st.decimals(min_value=0, max_value=3, places=2),
    achCashDiscountPercentage=st.decimals(min_value=0, max_value=10, places=2),
)
methods = st.sampled_from([None, *PaymentMethodOption])


def _assert_priced_once(price: MethodPrice, balance: Decimal, currency: str) -> None:
    assert price.base == balance
    assert price.surcharge_amount == round_money(balance * price.surcharge_percentage / 100, currency)
    assert price.cash_discount_amount == round_money(balance * price.cash_discount_percentage / 100, currency)
    assert price.total == price.base + price.surcharge_amount - price.cash_discount_amount
    assert is_exact(price.total, currency)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issued_invoices(max_rows=12), payment_settings, methods)
def test_every_methods_total_is_the_balance_plus_surcharge_minus_cash_discount(issued, payments, method):
    invoice, figures = issued
    balance = max(figures.amount_due, D(0))

    price = price_for(balance, invoice.currency, method, payments)

    _assert_priced_once(price, balance, invoice.currency)
    surcharged = method is PaymentMethodOption.CREDIT_CARD
    discounted = method is PaymentMethodOption.ACH
    assert price.surcharge_percentage == (payments.creditCardSurchargePercentage if surcharged else 0)
    assert price.cash_discount_percentage == (payments.achCashDiscountPercentage if discounted else 0)


def _seed_view(invoice, payments: PaymentSettings) -> dict:
    view = seed_invoice(invoice, TenantSettings(payments=payments))
    return json_numbers.loads(json_numbers.dumps(view.model_dump()))


def _agree_with_channels(invoice, figures, payments: PaymentSettings, channels) -> None:
    view = _seed_view(invoice, payments)
    balance = max(figures.amount_due, D(0))
    assert view["totalAmount"] == figures.total_with_tax
    assert view["subTotalAmount"] == figures.lines_total
    calculations = view["invoiceCalculations"]
    assert calculations["debitCard"]["totalAmount"] == balance
    for option in PaymentMethodOption:
        stated = calculations[option.value]
        expected = price_for(balance, invoice.currency, option, payments)
        assert stated["totalAmount"] == expected.total
        assert stated["taxAmount"] == figures.total_tax
    for name, channel in channels.items():
        statement = channel(invoice)
        assert statement.total == view["totalAmount"], name
        if statement.balance is not None and figures.amount_due >= 0:
            assert statement.balance == calculations["debitCard"]["totalAmount"], name


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issued_invoices(max_rows=12), payment_settings)
def test_seed_003s_view_states_the_figures_of_the_api_csv_and_mail(issued, payments):
    invoice, figures = issued

    _agree_with_channels(invoice, figures, payments, CHANNELS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issued_invoices(max_rows=6), payment_settings)
def test_seed_003s_view_states_the_figures_of_the_pdf(issued, payments):
    invoice, figures = issued

    _agree_with_channels(invoice, figures, payments, PDF_CHANNELS)


def test_a_surcharge_is_rounded_once_in_each_currencys_minor_unit():
    assert method_price(D("1234"), "JPY", surcharge_percentage=D("2.95")).surcharge_amount == D("36")
    assert method_price(D("10.05"), "EUR", surcharge_percentage=D("3")).surcharge_amount == D("0.30")
    assert method_price(D("1.005"), "KWD", cash_discount_percentage=D("2.5")).cash_discount_amount == D(
        "0.025"
    )


def test_a_negative_balance_costs_nothing_more():
    price = price_for(
        D("-5.00"),
        "EUR",
        PaymentMethodOption.CREDIT_CARD,
        PaymentSettings(creditCardSurchargePercentage=D(3)),
    )

    assert (price.base, price.surcharge_amount, price.total) == (D(0), D("0.00"), D("0.00"))
