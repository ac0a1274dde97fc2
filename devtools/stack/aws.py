"""boto3 clients for moto: the stack's endpoint with dummy credentials, or boto3's defaults."""

from __future__ import annotations

from typing import Any

import boto3

from devtools.template import REGION


def aws_client(service: str, endpoint_url: str | None) -> Any:
    options: dict[str, Any] = {"region_name": REGION}
    if endpoint_url is not None:
        options.update(
            endpoint_url=endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    return boto3.client(service, **options)
