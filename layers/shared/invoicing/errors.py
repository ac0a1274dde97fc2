"""Domain exceptions. Adapters translate AWS errors into these; `invoicing.api.errors` maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of every error the service reports to its callers."""

    #: shown to end users by client UIs; subclasses override it where a better sentence exists
    customer_message = "The request could not be processed."

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    """The input is well-formed but breaks a rule on one or more fields."""

    customer_message = "Some fields are not valid."


class NotFound(DomainError):
    """The resource does not exist for this tenant (another tenant's resource is reported the same way)."""

    customer_message = "The requested resource does not exist."


class Conflict(DomainError):
    """The request conflicts with the resource's current state or with a concurrent change."""

    customer_message = "The resource was changed by someone else or is in a state that does not allow this."


class ConcurrentChange(Conflict):
    """Another request changed the same data first; re-reading and retrying may succeed."""


class InvoiceChanged(ConcurrentChange):
    """The invoice's version moved since it was read (optimistic locking)."""


class CounterMoved(ConcurrentChange):
    """The invoice-number counter moved since it was read: another invoice took that number."""


class Unprocessable(DomainError):
    """The request is valid but the resource cannot do it (for example, sending a draft)."""


class PaymentDeclined(DomainError):
    """The payment processor declined the payment; `decline_code` is the processor's reason."""

    customer_message = "The payment was declined. Please use another card or account."

    def __init__(self, message: str, *, decline_code: str) -> None:
        super().__init__(message, field_errors={"declineCode": [decline_code]})
        self.decline_code = decline_code


class PayloadTooLarge(DomainError):
    """The request carries more, or bigger, files than the limits allow."""

    customer_message = "The upload is too large."


class UnsupportedMediaType(DomainError):
    """The content is of a type the resource does not accept (judged by the bytes, not the name)."""

    customer_message = "This type of file is not accepted."


class QuotaExceeded(DomainError):
    """The tenant spent a quota (its mails of the day); the request may be sent again later."""

    customer_message = "The limit for today has been reached. Please try again later."

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class AuthenticationFailed(DomainError):
    """Credentials are missing, malformed, forged, expired or unknown."""

    customer_message = "Please sign in again."


class PermissionDenied(DomainError):
    """The caller is authenticated but lacks the permission the operation needs."""

    customer_message = "You do not have permission to do this."


class DependencyUnavailable(DomainError):
    """An AWS dependency failed or throttled; the request may be retried."""

    customer_message = "The service is temporarily unavailable. Please try again shortly."
