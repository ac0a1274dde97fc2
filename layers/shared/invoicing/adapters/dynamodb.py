"""Binding PynamoDB models to the table the function was deployed with.

Models are declared once with a placeholder table; `bind` derives a subclass whose Meta names the
real table, so no model reads the environment at import and tests can bind to any table. Every
PynamoDB connection builds its client from the one session (`aws_session`), where PynamoDB would
give each model a session of its own.
"""

from __future__ import annotations

from functools import cache
from typing import cast

import pynamodb.connection.base
from pynamodb.connection import Connection
from pynamodb.models import Model

from invoicing.adapters.aws_session import botocore_session

pynamodb.connection.base.get_session = botocore_session  # type: ignore[attr-defined,assignment]

UNBOUND_TABLE = "unbound"


@cache
def bind[M: Model](model: type[M], table_name: str) -> type[M]:
    meta = type("Meta", (model.Meta,), {"table_name": table_name})  # type: ignore[arg-type]
    return cast(type[M], type(model.__name__, (model,), {"Meta": meta}))


@cache
def transaction_connection() -> Connection:
    """The low-level connection PynamoDB transactions need, created on first use."""
    return Connection()
