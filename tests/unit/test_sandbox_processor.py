"""The sandbox processor's test cards and its webhook signatures (Stripe's scheme), without AWS."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from invoicing.adapters.sandbox_processor import SandboxProcessor, signature_for
from invoicing.payments.processor import EventKind, Funding, InvalidSignature
from invoicing.payments.validation import BankAccount, Card

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
SECRET = "webhook-secret"
PAYLOAD = json.dumps(
    {
        "id": "evt_1",
        "type": "returned",
        "chargeId": "py_1",
        "tenantId": "acme",
        "invoiceId": "inv-1",
        "created": NOW.isoformat(),
        "reason": "R01",
    }
).encode()


@pytest.fixture
def sandbox() -> SandboxProcessor:
    return SandboxProcessor("unused-table", lambda: SECRET, clock=lambda: NOW)


@pytest.mark.parametrize(
    ("number", "funding", "outcome"),
    [
        ("4242424242424242", Funding.CREDIT, "succeeds"),
        ("5555555555554444", Funding.CREDIT, "succeeds"),
        ("4000056655665556", Funding.DEBIT, "succeeds"),
        ("4000000000000002", Funding.CREDIT, "card_declined"),
        ("4000000000009995", Funding.CREDIT, "insufficient_funds"),
    ],
)
def test_a_test_card_is_tokenized_with_its_funding_and_a_token_that_holds_no_number(
    sandbox, number, funding, outcome
):
    token = sandbox.tokenize_card(Card(number, 12, 2030, "123"))

    assert (token.funding, token.last4) == (funding, number[-4:])
    assert token.token.startswith(f"pm_card_{outcome}_")
    assert number not in token.token


def test_a_bank_account_token_names_its_outcome(sandbox):
    token = sandbox.tokenize_bank_account(BankAccount("110000000", "000222222227", "Jenny Rosen"))

    assert token.token.startswith("pm_ach_returned_")
    assert token.last4 == "2227"


def test_a_signed_event_verifies(sandbox):
    event = sandbox.verify_event(PAYLOAD, signature_for(PAYLOAD, SECRET, NOW), NOW + timedelta(seconds=5))

    assert (event.kind, event.charge_id, event.reason) == (EventKind.RETURNED, "py_1", "R01")


@pytest.mark.parametrize(
    ("payload", "signature", "now"),
    [
        (PAYLOAD.replace(b"R01", b"R02"), signature_for(PAYLOAD, SECRET, NOW), NOW),
        (PAYLOAD, signature_for(PAYLOAD, "another-secret", NOW), NOW),
        (PAYLOAD, signature_for(PAYLOAD, SECRET, NOW), NOW + timedelta(minutes=6)),
        (PAYLOAD, "v1=abc", NOW),
    ],
)
def test_a_tampered_forged_stale_or_malformed_event_is_refused(sandbox, payload, signature, now):
    with pytest.raises(InvalidSignature):
        sandbox.verify_event(payload, signature, now)
