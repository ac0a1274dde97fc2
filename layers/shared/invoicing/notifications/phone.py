"""Phone numbers as SNS takes them: validated and written in E.164 (`+<country><number>`).

`phonenumbers` (Google's libphonenumber metadata) is imported on first use: only the notification
route and the SMS path of the worker need it, not their cold start.
"""

from __future__ import annotations

from invoicing.errors import ValidationFailed

FIELD = "phoneNumber"


def _invalid(number: str, why: str) -> ValidationFailed:
    return ValidationFailed(f"{number!r} is not a valid phone number: {why}.", field_errors={FIELD: [why]})


def e164(number: str) -> str:
    """`number` in E.164, or ValidationFailed. A number is international (`+49 30 1234567`,
    `0049...` is not read): a national number says nothing of its country."""
    import phonenumbers

    text = number.strip()
    if not text.startswith("+"):
        raise _invalid(number, "give it in international format, starting with + and the country code")
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as error:
        raise _invalid(number, str(error.args[0]) if error.args else "it cannot be read") from error
    if not phonenumbers.is_valid_number(parsed):
        raise _invalid(number, "no such number exists in its country's numbering plan")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
