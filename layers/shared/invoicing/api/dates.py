"""Calendar dates as the API writes them: YYYY-MM-DD."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

_CALENDAR_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _calendar_date(value: object) -> object:
    """Text must be YYYY-MM-DD: pydantic alone would also read "0" as a Unix time (1970-01-01)."""
    if isinstance(value, str) and not _CALENDAR_DATE.fullmatch(value):
        raise ValueError("Give the date as YYYY-MM-DD.")
    return value


CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]
