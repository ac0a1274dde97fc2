"""The stack's HMAC secrets are read from Secrets Manager once per few minutes, and an unreadable
secret is a dependency failure, never a forged key."""

from __future__ import annotations

import boto3
import pytest

from invoicing.adapters.token_keys import SECRET_CACHE_SECONDS, SigningSecret
from invoicing.errors import DependencyUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_the_secret_is_read_once_and_again_after_the_cache_time(deployment):
    secrets = boto3.client("secretsmanager")
    secret_id = deployment.ref("PublicLinkSecret")
    clock = Clock()
    secret = SigningSecret(secret_id, clock=clock)
    first = secret.value()
    assert first == secrets.get_secret_value(SecretId=secret_id)["SecretString"]

    secrets.put_secret_value(SecretId=secret_id, SecretString="rotated-secret-value")
    clock.now += SECRET_CACHE_SECONDS - 1
    assert secret.value() == first
    clock.now += 1
    assert secret.value() == "rotated-secret-value"


def test_a_missing_secret_is_a_dependency_failure(deployment):
    secret = SigningSecret("arn:aws:secretsmanager:eu-west-1:123456789012:secret:absent-AbCdEf")
    with pytest.raises(DependencyUnavailable, match="Reading the token signing secret failed"):
        secret.value()
