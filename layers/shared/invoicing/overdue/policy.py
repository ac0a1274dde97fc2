"""A tenant's reminder policy: the `reminders` section of `/v1/settings`."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from invoicing.invoices.model import MAX_AMOUNT, Money, ShortText

DEFAULT_CADENCE_DAYS = (1, 7, 14)
MAX_STEPS = 10

DayOffset = Annotated[int, Field(ge=0, le=3650)]


class LateFeeType(StrEnum):
    FIXED = "FIXED"
    PERCENTAGE = "PERCENTAGE"


class LateFee(BaseModel):
    """A charge added to an overdue invoice at each reminder step it reaches."""

    model_config = ConfigDict(extra="forbid")

    type: LateFeeType = Field(
        description="FIXED: `amount` in the invoice's currency; PERCENTAGE: of the balance."
    )
    amount: Annotated[Money, Field(gt=0, le=MAX_AMOUNT, decimal_places=4)] = Field(
        description="The fee (FIXED), or the percentage of what is left to pay (PERCENTAGE, at most 100)."
    )

    @model_validator(mode="after")
    def _percentage_at_most_100(self) -> LateFee:
        if self.type is LateFeeType.PERCENTAGE and self.amount > Decimal(100):
            raise ValueError("A percentage is at most 100.")
        return self


class ReminderSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="Whether the overdue job mails reminders.")
    cadenceDays: Annotated[list[DayOffset], Field(min_length=1, max_length=MAX_STEPS)] = Field(
        default_factory=lambda: list(DEFAULT_CADENCE_DAYS),
        description="Days after the due date each reminder falls due, increasing (at most 10).",
    )
    lateFee: LateFee | None = Field(
        default=None, description="A fee added at each reminder step; none (off) by default."
    )
    senderName: ShortText | None = Field(
        default=None, description="The name reminders are sent by; the tenant's name when not set."
    )

    @field_validator("cadenceDays")
    @classmethod
    def _increasing(cls, days: list[int]) -> list[int]:
        if any(later <= earlier for earlier, later in pairwise(days)):
            raise ValueError("List each day once, in increasing order, e.g. [1, 7, 14].")
        return days
