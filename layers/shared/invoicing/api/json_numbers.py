"""JSON in and out of the API with exact numbers: a Decimal is read from, and written as, its own digits.

The standard encoder writes a Decimal only as a string, and powertools' encoders turn it into a float
(999999999999.123456 would leave as 999999999999.1235). `dumps` writes it as a JSON number with the
digits it has, so amounts never pass through a binary float. Everything else is written as pydantic's
JSON mode would (datetimes in ISO 8601 with `Z`, enums as their values).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from invoicing.errors import ValidationFailed

_string: Callable[[str], str] = json.encoder.encode_basestring_ascii


def decimal_text(value: Decimal) -> str:
    """`Decimal("1200.00")` -> `1200.00`: fixed-point digits, never an exponent."""
    if not value.is_finite():
        raise ValueError(f"{value} has no JSON number")
    return format(value, "f")


def dumps(value: Any) -> str:
    """Compact JSON text of `value` (dicts, lists, pydantic models, dataclasses, Decimals, datetimes...)."""
    parts: list[str] = []
    _write(value, parts.append)
    return "".join(parts)


def _write(value: Any, out: Callable[[str], None]) -> None:
    if isinstance(value, str):
        out(_string(value))
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif isinstance(value, int):
        out(int.__repr__(value))
    elif isinstance(value, Decimal):
        out(decimal_text(value))
    elif isinstance(value, float):
        out(json.dumps(value, allow_nan=False))
    elif isinstance(value, dict):
        out("{")
        for index, (key, item) in enumerate(value.items()):
            out("," if index else "")
            out(_string(str(key)))
            out(":")
            _write(item, out)
        out("}")
    elif isinstance(value, list | tuple):
        out("[")
        for index, item in enumerate(value):
            if index:
                out(",")
            _write(item, out)
        out("]")
    elif isinstance(value, BaseModel):
        _write(value.model_dump(mode="python", by_alias=True), out)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        _write({field.name: getattr(value, field.name) for field in dataclasses.fields(value)}, out)
    else:
        _write(to_jsonable_python(value), out)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    """A request body: numbers with a fraction or exponent as Decimal; anything that is not JSON
    (syntax, an integer beyond Python's 4,300 digits, nesting deeper than the parser's recursion,
    NaN or Infinity) is ValidationFailed naming the body."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        reason = f"{error.msg} at character {error.pos}"
    except RecursionError:
        reason = "nested too deeply"
    except ValueError as error:
        reason = str(error).split(";")[0]
    raise ValidationFailed(f"The body is not valid JSON: {reason}.", field_errors={"body": [reason]})
