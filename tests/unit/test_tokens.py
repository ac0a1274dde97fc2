from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from invoicing.auth.tokens import TokenPolicy, issue_token, verify_token
from invoicing.errors import AuthenticationFailed

SECRET = "a-signing-secret-of-sufficient-length-for-hs256"
POLICY = TokenPolicy(issuer="invoicing", audience="invoicing-api", algorithms=("HS256",))
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def issue(**overrides):
    arguments = {
        "secret": SECRET,
        "policy": POLICY,
        "tenant_id": "acme",
        "subject": "alice",
        "scopes": "invoices:read",
        "now": datetime.now(UTC),
    }
    return issue_token(**(arguments | overrides))


def verify(token, policy=POLICY, key=SECRET):
    return verify_token(token, policy=policy, resolve_key=lambda _token: key)


def test_an_issued_token_verifies_with_its_tenant_subject_and_scopes():
    claims = verify(issue())

    assert (claims.tenant_id, claims.subject, claims.scopes) == ("acme", "alice", "invoices:read")


def test_an_expired_token_is_refused():
    token = issue(now=datetime.now(UTC) - timedelta(hours=2), lifetime=timedelta(hours=1))

    with pytest.raises(AuthenticationFailed, match="expired"):
        verify(token)


def test_a_token_signed_with_another_secret_is_refused():
    with pytest.raises(AuthenticationFailed, match="Signature"):
        verify(issue(secret="another-secret-of-sufficient-length-for-hs256!"))


def test_a_token_of_another_issuer_is_refused():
    foreign = TokenPolicy(issuer="someone-else", audience="invoicing-api", algorithms=("HS256",))

    with pytest.raises(AuthenticationFailed, match="issuer"):
        verify(issue(policy=foreign))


def test_a_token_for_another_audience_is_refused():
    foreign = TokenPolicy(issuer="invoicing", audience="another-api", algorithms=("HS256",))

    with pytest.raises(AuthenticationFailed, match="audience"):
        verify(issue(policy=foreign))


def test_a_token_without_tenant_is_refused():
    now = datetime.now(UTC)
    claims = {
        "iss": "invoicing",
        "aud": "invoicing-api",
        "sub": "x",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }

    with pytest.raises(AuthenticationFailed, match="tenant_id"):
        verify(jwt.encode(claims, SECRET, algorithm="HS256"))


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
def test_garbage_and_unsigned_tokens_are_refused(garbage):
    with pytest.raises(AuthenticationFailed):
        verify(garbage)


def test_an_external_issuers_rs256_token_with_cognito_client_id_is_accepted():
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    policy = TokenPolicy(issuer="https://issuer.test/pool", audience="app-client", algorithms=("RS256",))
    now = datetime.now(UTC)
    claims = {
        "iss": "https://issuer.test/pool",
        "client_id": "app-client",
        "sub": "user-1",
        "tenant_id": "acme",
        "scope": "invoices:read invoices:write",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    token = jwt.encode(claims, private_key, algorithm="RS256")

    accepted = verify(token, policy=policy, key=private_key.public_key())

    assert accepted.scopes == "invoices:read invoices:write"


def test_an_hs256_token_is_refused_where_only_the_issuers_rs256_keys_count():
    rs_policy = TokenPolicy(issuer="invoicing", audience="invoicing-api", algorithms=("RS256",))

    with pytest.raises(AuthenticationFailed):
        verify(issue(), policy=rs_policy)
