"""Binding PynamoDB models to the table the function was deployed with.

Models are declared once with a placeholder table; `bind` derives a subclass whose Meta names the
real table, so no model reads the environment at import and tests can bind to any table. Every
PynamoDB connection gets its client from the one session (`aws_session`), where PynamoDB would give
each model a session of its own, and all of them get the same client, where PynamoDB would build one
per model (about 5 ms of CPU each, in the first request that touches the model).
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any, cast

import pynamodb.connection.base
from pynamodb.connection import Connection
from pynamodb.models import Model

from invoicing.adapters.aws_session import botocore_session


class _OneClientSession:
    """The session PynamoDB's connections are given: the one session, keeping the client it builds
    for each set of arguments. A client built without credentials is never kept (botocore keeps the
    empty answer, and PynamoDB asks again for such a client)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        key = _client_key(args, kwargs)
        with self._lock:
            client = self._clients.get(key)
            if client is None or not _has_credentials(client):
                client = self._clients[key] = botocore_session().create_client(*args, **kwargs)
            return client


#: what botocore reads from the environment when it builds a client, which tools change between runs
_CLIENT_ENVIRONMENT = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_REGION", "AWS_DEFAULT_REGION")


def _client_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The arguments of a client, a botocore Config by the options it was given, and the environment
    it was built in."""
    options = {name: value for name, value in kwargs.items() if name != "config"}
    config = kwargs.get("config")
    if config is not None:
        options["config"] = sorted(config._user_provided_options.items())
    environment = [os.environ.get(name) for name in _CLIENT_ENVIRONMENT]
    return repr((args, sorted(options.items()), environment))


def _has_credentials(client: Any) -> bool:
    signer = client._request_signer
    return signer is None or signer._credentials is not None


_pynamodb_session = cache(_OneClientSession)
pynamodb.connection.base.get_session = _pynamodb_session  # type: ignore[attr-defined,assignment]


def forget_connections() -> None:
    """For a tool that moves one process from one AWS endpoint to another (`make bench`: a moto
    server, then in-process mocks): the models bound so far, their connections and the client they
    share are dropped, and the next use builds them for the environment as it then is."""
    bind.cache_clear()
    transaction_connection.cache_clear()
    _pynamodb_session.cache_clear()


UNBOUND_TABLE = "unbound"


@cache
def bind[M: Model](model: type[M], table_name: str) -> type[M]:
    meta = type("Meta", (model.Meta,), {"table_name": table_name})  # type: ignore[arg-type]
    return cast(type[M], type(model.__name__, (model,), {"Meta": meta}))


@cache
def transaction_connection() -> Connection:
    """The low-level connection PynamoDB transactions need, created on first use."""
    return Connection()
