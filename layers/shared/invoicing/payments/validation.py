"""Card and bank account checks made before anything else (400, naming each field). The messages
never repeat what was sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from stdnum import luhn
from stdnum.us import rtn

from invoicing.errors import ValidationFailed
from invoicing.payments.requests import AchPaymentRequest, CardPaymentRequest


@dataclass(frozen=True)
class Card:
    """A card as the processor needs it, for the length of one request."""

    number: str = field(repr=False)
    expiry_month: int
    expiry_year: int
    security_code: str = field(repr=False)
    postal_code: str | None = None

    @property
    def last4(self) -> str:
        return self.number[-4:]


@dataclass(frozen=True)
class BankAccount:
    routing_number: str = field(repr=False)
    account_number: str = field(repr=False)
    holder_name: str

    @property
    def last4(self) -> str:
        return self.account_number[-4:]


def _digits(value: str) -> str:
    return value.replace(" ", "").replace("-", "")


def _refuse(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationFailed(f"The payment is not valid: {', '.join(problems)}.", field_errors=problems)


def valid_card(request: CardPaymentRequest, today: date) -> Card:
    """The card of the request: a Luhn-valid number of 12 to 19 digits, a month 1-12 not before
    this one, a CVC of 3 or 4 digits."""
    problems: dict[str, list[str]] = {}
    number = _digits(request.accountNumber.get_secret_value())
    if not (number.isdigit() and 12 <= len(number) <= 19 and luhn.is_valid(number)):
        problems["accountNumber"] = ["Not a valid card number (12 to 19 digits, Luhn check)."]
    year, month = request.expirationYear, request.expirationMonth
    if not 1 <= month <= 12:
        problems["expirationMonth"] = ["A month from 1 to 12."]
    elif not 2000 <= year <= 2100 or (year, month) < (today.year, today.month):
        problems["expirationYear"] = ["The card has expired (or the year is not four digits)."]
    code = request.securityCode.get_secret_value()
    if not (code.isdigit() and 3 <= len(code) <= 4):
        problems["securityCode"] = ["3 or 4 digits."]
    _refuse(problems)
    return Card(number, month, year, code, request.billingPostalCode)


def valid_bank_account(request: AchPaymentRequest) -> BankAccount:
    """The account of the request: an ABA routing number with a valid checksum, an account of 4 to
    17 digits, and the payer's authorization of the debit."""
    problems: dict[str, list[str]] = {}
    routing = _digits(request.routingNumber.get_secret_value())
    if not (len(routing) == 9 and rtn.is_valid(routing)):
        problems["routingNumber"] = ["Not a valid ABA routing number (9 digits, checksum)."]
    account = _digits(request.accountNumber.get_secret_value())
    if not (account.isdigit() and 4 <= len(account) <= 17):
        problems["accountNumber"] = ["4 to 17 digits."]
    if not request.authorizeBankWithdrawal:
        problems["authorizeBankWithdrawal"] = ["The payer must authorize the bank withdrawal (true)."]
    _refuse(problems)
    name = " ".join(part for part in (request.firstName, request.lastName) if part)
    return BankAccount(routing, account, name or request.companyName or "")
