"""Bearer tokens (JWT): issued by this stack with an HMAC secret, or by an external OIDC issuer."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from invoicing.errors import AuthenticationFailed

TENANT_CLAIM = "tenant_id"
PURPOSE_CLAIM = "token_use"
ACCESS_PURPOSE = "access"
HMAC_ALGORITHM = "HS256"
ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")
DEFAULT_TOKEN_LIFETIME = timedelta(hours=1)
CLOCK_SKEW = timedelta(seconds=30)

#: returns the key that verifies a given token: the HMAC secret, or the issuer's public key
KeyResolver = Callable[[str], Any]


@dataclass(frozen=True)
class TokenClaims:
    tenant_id: str
    subject: str
    scopes: str


@dataclass(frozen=True)
class TokenPolicy:
    """What a token must say to be accepted."""

    issuer: str
    audience: str
    algorithms: tuple[str, ...]


def issue_token(
    *,
    secret: str,
    policy: TokenPolicy,
    tenant_id: str,
    subject: str,
    scopes: str,
    now: datetime,
    lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
) -> str:
    claims = {
        "iss": policy.issuer,
        "aud": policy.audience,
        "sub": subject,
        TENANT_CLAIM: tenant_id,
        PURPOSE_CLAIM: ACCESS_PURPOSE,
        "scope": scopes,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=HMAC_ALGORITHM)


def verify_token(token: str, *, policy: TokenPolicy, resolve_key: KeyResolver) -> TokenClaims:
    """Check signature, issuer, audience and lifetime; return the claims the service uses."""
    try:
        claims = jwt.decode(
            token,
            resolve_key(token),
            algorithms=list(policy.algorithms),
            issuer=policy.issuer,
            leeway=CLOCK_SKEW,
            options={"require": ["exp", "iat", "sub", "iss"], "verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise AuthenticationFailed(f"Bearer token rejected: {error}.") from None
    _check_audience(claims, policy.audience)
    _check_purpose(claims)
    tenant_id = claims.get(TENANT_CLAIM)
    if not isinstance(tenant_id, str) or not tenant_id:
        raise AuthenticationFailed(f"Bearer token has no {TENANT_CLAIM} claim.")
    scope = claims.get("scope", "")
    return TokenClaims(tenant_id=tenant_id, subject=str(claims["sub"]), scopes=str(scope))


def _check_audience(claims: Mapping[str, Any], audience: str) -> None:
    """`aud` may be a string or a list; Cognito access tokens carry `client_id` instead."""
    declared = claims.get("aud", claims.get("client_id"))
    audiences = declared if isinstance(declared, list) else [declared]
    if audience not in audiences:
        raise AuthenticationFailed("Bearer token is meant for another audience.")


def _check_purpose(claims: Mapping[str, Any]) -> None:
    """Cognito marks each token: only an access token opens the API. An ID token (`id`) tells the app
    that asked who its user is, carries the same `tenant_id` and is refused. Tokens without the claim
    (other OIDC issuers) are judged by the other claims alone."""
    if PURPOSE_CLAIM in claims and claims[PURPOSE_CLAIM] != ACCESS_PURPOSE:
        raise AuthenticationFailed("Bearer token is not an access token.")
