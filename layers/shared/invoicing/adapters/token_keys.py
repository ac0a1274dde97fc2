"""Where bearer-token verification keys come from: the stack's HMAC secret or an issuer's JWKS."""

from __future__ import annotations

from typing import Any

from invoicing.auth.tokens import KeyResolver
from invoicing.errors import AuthenticationFailed, DependencyUnavailable

SECRET_CACHE_SECONDS = 300


class SigningSecret:
    """The HMAC secret in Secrets Manager, fetched on first use and cached for a few minutes, through
    the function's one AWS session (a session of its own would read the service models again)."""

    def __init__(self, secret_id: str) -> None:
        self._secret_id = secret_id
        self._provider: Any = None

    def value(self) -> str:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider
        from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

        from invoicing.adapters.aws_session import boto3_session

        if self._provider is None:
            self._provider = SecretsProvider(boto3_session=boto3_session())
        try:
            return str(self._provider.get(self._secret_id, max_age=SECRET_CACHE_SECONDS))
        except GetParameterError as error:
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
