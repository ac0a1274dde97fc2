"""The page's words in English and German, by the invoice's locale (`de`, `de-DE`, ...)."""

from __future__ import annotations

from invoicing.invoices.enums import InvoiceStatus, PaymentMethod

ENGLISH = {
    "invoice": "Invoice",
    "from": "From",
    "bill_to": "Bill to",
    "status": "Status",
    "due_date": "Due date",
    "issued": "Issued",
    "description": "Description",
    "quantity": "Qty",
    "unit_price": "Unit price",
    "amount": "Amount",
    "subtotal": "Net total",
    "tax": "Tax",
    "total": "Total",
    "paid": "Paid",
    "balance_due": "Balance due",
    "prices": "Price by payment method",
    "download_pdf": "Download the PDF",
    "pay_by_card": "Pay by card",
    "pay_by_ach": "Pay by bank debit (ACH)",
    "card_type": "Card type",
    "card_number": "Card number",
    "expiry_month": "Expiry month",
    "expiry_year": "Expiry year",
    "security_code": "Security code",
    "postal_code": "Billing postal code",
    "routing_number": "Routing number",
    "account_number": "Account number",
    "account_type": "Account type",
    "checking": "Checking",
    "savings": "Savings",
    "first_name": "First name",
    "last_name": "Last name",
    "authorize": "I authorize this one-time debit from my account.",
    "pay": "Pay",
    "receipt": "Receipt",
    "payment_received": "Payment received. Thank you!",
    "payment_pending": "Bank debit initiated: it is pending until your bank settles it.",
    "amount_paid": "Amount paid",
    "method": "Method",
    "payment_failed": "The payment did not go through",
    "nothing_due": "Nothing is due on this invoice.",
    "back": "Back to the invoice",
    "not_found_title": "Link not found",
    "not_found": "This invoice link is unknown, revoked or expired. Ask the sender for a new link.",
    "too_many": "Too many requests. Please wait a minute and try again.",
}

GERMAN = {
    "invoice": "Rechnung",
    "from": "Von",
    "bill_to": "Rechnung an",
    "status": "Status",
    "due_date": "Fällig am",
    "issued": "Ausgestellt",
    "description": "Beschreibung",
    "quantity": "Menge",
    "unit_price": "Einzelpreis",
    "amount": "Betrag",
    "subtotal": "Nettobetrag",
    "tax": "Steuer",
    "total": "Gesamt",
    "paid": "Bezahlt",
    "balance_due": "Offener Betrag",
    "prices": "Preis je Zahlungsart",
    "download_pdf": "PDF herunterladen",
    "pay_by_card": "Mit Karte bezahlen",
    "pay_by_ach": "Per Lastschrift bezahlen (ACH)",
    "card_type": "Kartenart",
    "card_number": "Kartennummer",
    "expiry_month": "Ablaufmonat",
    "expiry_year": "Ablaufjahr",
    "security_code": "Prüfnummer",
    "postal_code": "Postleitzahl der Rechnungsadresse",
    "routing_number": "Bankleitzahl (Routing Number)",
    "account_number": "Kontonummer",
    "account_type": "Kontoart",
    "checking": "Girokonto",
    "savings": "Sparkonto",
    "first_name": "Vorname",
    "last_name": "Nachname",
    "authorize": "Ich erteile die Einzugsermächtigung für diese einmalige Lastschrift.",
    "pay": "Bezahlen",
    "receipt": "Beleg",
    "payment_received": "Zahlung erhalten. Vielen Dank!",
    "payment_pending": "Lastschrift veranlasst: Sie ist ausstehend, bis Ihre Bank sie ausführt.",
    "amount_paid": "Gezahlter Betrag",
    "method": "Zahlungsart",
    "payment_failed": "Die Zahlung ist nicht durchgegangen",
    "nothing_due": "Auf dieser Rechnung ist nichts offen.",
    "back": "Zurück zur Rechnung",
    "not_found_title": "Link nicht gefunden",
    "not_found": (
        "Dieser Rechnungslink ist unbekannt, widerrufen oder abgelaufen. "
        "Bitten Sie den Absender um einen neuen Link."
    ),
    "too_many": "Zu viele Anfragen. Bitte warten Sie eine Minute und versuchen Sie es erneut.",
}

STATUS_NAMES = {
    "en": {
        InvoiceStatus.SENT: "Due",
        InvoiceStatus.PARTIALLY_PAID: "Partially paid",
        InvoiceStatus.PAID: "Paid",
        InvoiceStatus.OVERDUE: "Past due",
        InvoiceStatus.CANCELLED: "Cancelled",
    },
    "de": {
        InvoiceStatus.SENT: "Offen",
        InvoiceStatus.PARTIALLY_PAID: "Teilweise bezahlt",
        InvoiceStatus.PAID: "Bezahlt",
        InvoiceStatus.OVERDUE: "Überfällig",
        InvoiceStatus.CANCELLED: "Storniert",
    },
}

METHOD_NAMES = {
    "en": {
        PaymentMethod.CREDIT_CARD: "Credit card",
        PaymentMethod.DEBIT_CARD: "Debit card",
        PaymentMethod.ACH: "Bank debit (ACH)",
    },
    "de": {
        PaymentMethod.CREDIT_CARD: "Kreditkarte",
        PaymentMethod.DEBIT_CARD: "Debitkarte",
        PaymentMethod.ACH: "Lastschrift (ACH)",
    },
}


def language(locale: str | None) -> str:
    return "de" if (locale or "").lower().startswith("de") else "en"


def texts(lang: str) -> dict[str, str]:
    return GERMAN if lang == "de" else ENGLISH
