"""Where bearer-token verification keys come from: the stack's HMAC secret or an issuer's JWKS."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from invoicing.adapters.clients import LazyClient
from invoicing.errors import AuthenticationFailed, DependencyUnavailable

if TYPE_CHECKING:
    from invoicing.auth.tokens import KeyResolver

SECRET_CACHE_SECONDS = 300


class SigningSecret:
    """The HMAC secret in Secrets Manager, fetched on first use and kept for a few minutes, so a
    rotated secret is used within them. One GetSecretValue through the function's one AWS session:
    powertools' parameters utility would do the same after importing boto3 and every provider it has
    (about 20 ms of the cold start of every function that signs links)."""

    def __init__(self, secret_id: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._secret_id = secret_id
        self._clock = clock
        self._secrets: Callable[[], Any] = LazyClient("secretsmanager")
        self._value: str | None = None
        self._fetched_at = 0.0

    def value(self) -> str:
        now = self._clock()
        if self._value is None or now - self._fetched_at >= SECRET_CACHE_SECONDS:
            self._value, self._fetched_at = self._fetch(), now
        return self._value

    def _fetch(self) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return str(self._secrets().get_secret_value(SecretId=self._secret_id)["SecretString"])
        except (BotoCoreError, ClientError) as error:
            raise DependencyUnavailable(f"Reading the token signing secret failed: {error}") from error

    def resolver(self) -> KeyResolver:
        return lambda _token: self.value()


class JwksKeys:
    """Public keys of an external OIDC issuer (e.g. Cognito), fetched from its JWKS URL and cached."""

    def __init__(self, jwks_url: str) -> None:
        self._jwks_url = jwks_url
        self._client: Any = None

    def resolver(self) -> KeyResolver:
        return self._signing_key

    def _signing_key(self, token: str) -> Any:
        import jwt

        if self._client is None:
            self._client = jwt.PyJWKClient(self._jwks_url, cache_keys=True, lifespan=3600)
        try:
            return self._client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as error:
            raise DependencyUnavailable(f"Fetching the issuer's keys failed: {error}") from error
        except jwt.PyJWTError as error:
            raise AuthenticationFailed(f"Bearer token has no usable key: {error}.") from error
