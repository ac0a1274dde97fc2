"""boto3 clients for moto: the stack's endpoint with dummy credentials, or boto3's defaults.

Clients come from the layer's one session (`invoicing.adapters.aws_session`), which reads the service
models from disk once per process instead of once per client."""

from __future__ import annotations

from typing import Any

from devtools.template import REGION
from invoicing.adapters.aws_session import boto3_session


def aws_client(service: str, endpoint_url: str | None) -> Any:
    options: dict[str, Any] = {"region_name": REGION}
    if endpoint_url is not None:
        options.update(
            endpoint_url=endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    return boto3_session().client(service, **options)
