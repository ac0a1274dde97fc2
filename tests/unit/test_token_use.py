"""Only access tokens open the API: an OIDC ID token (Cognito's `token_use: id`) is refused."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from invoicing.auth.tokens import TokenPolicy, issue_token, verify_token
from invoicing.errors import AuthenticationFailed

POLICY = TokenPolicy(issuer="https://issuer.test/pool", audience="app-client", algorithms=("RS256",))
PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def cognito_token(**claims: object) -> str:
    now = datetime.now(UTC)
    standard = {
        "iss": POLICY.issuer,
        "sub": "user-1",
        "tenant_id": "acme",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    return jwt.encode(standard | claims, PRIVATE_KEY, algorithm="RS256")


def verify(token: str, policy: TokenPolicy = POLICY, key: object = None):
    key = key if key is not None else PRIVATE_KEY.public_key()
    return verify_token(token, policy=policy, resolve_key=lambda _token: key)


def test_a_cognito_access_token_is_accepted():
    token = cognito_token(token_use="access", client_id="app-client", scope="invoices:read")

    assert verify(token).scopes == "invoices:read"


def test_a_cognito_id_token_is_refused():
    token = cognito_token(token_use="id", aud="app-client", email="alice@acme.test")

    with pytest.raises(AuthenticationFailed, match="access token"):
        verify(token)


@pytest.mark.parametrize("token_use", ["refresh", "", 1, ["access"]])
def test_any_other_token_use_is_refused(token_use):
    token = cognito_token(token_use=token_use, client_id="app-client", scope="invoices:read")

    with pytest.raises(AuthenticationFailed, match="access token"):
        verify(token)


def test_the_stacks_own_tokens_say_they_are_access_tokens():
    secret = "a-signing-secret-of-sufficient-length-for-hs256"
    policy = TokenPolicy(issuer="invoicing", audience="invoicing-api", algorithms=("HS256",))
    token = issue_token(
        secret=secret, policy=policy, tenant_id="acme", subject="a", scopes="", now=datetime.now(UTC)
    )

    assert jwt.decode(token, options={"verify_signature": False})["token_use"] == "access"
    assert verify(token, policy=policy, key=secret).tenant_id == "acme"
