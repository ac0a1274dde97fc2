"""API keys: `keyId:secret` pairs whose secret is stored only as a salted scrypt hash; created for a
tenant, checked by the authenticator, revoked for good."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from invoicing.auth.principal import KNOWN_SCOPES
from invoicing.errors import AuthenticationFailed, NotFound, ValidationFailed
from invoicing.tenants.model import ApiKeyRecord, TenantRepository

KEY_ID_PREFIX = "ak_"

# scrypt cost: about 16 MiB and tens of milliseconds per check; the authorizer's cache (300 s)
# keeps it off the hot path.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_HASH_BYTES = 32
_SALT_BYTES = 16


@dataclass(frozen=True)
class ApiKeyCredentials:
    key_id: str
    secret: str


def new_api_key() -> ApiKeyCredentials:
    return ApiKeyCredentials(key_id=KEY_ID_PREFIX + secrets.token_hex(10), secret=secrets.token_urlsafe(32))


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    """Self-describing hash `scrypt$n$r$p$salt$digest` (base64), so parameters can change later."""
    salt = salt if salt is not None else secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(secret, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    encoded_salt = base64.b64encode(salt).decode()
    encoded_digest = base64.b64encode(digest).decode()
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${encoded_salt}${encoded_digest}"


def verify_secret(secret: str, stored_hash: str) -> bool:
    """Constant-time comparison of `secret` against a hash made by `hash_secret`."""
    try:
        algorithm, n, r, p, encoded_salt, encoded_digest = stored_hash.split("$")
        cost = (int(n), int(r), int(p))
        salt = base64.b64decode(encoded_salt, validate=True)
        expected = base64.b64decode(encoded_digest, validate=True)
    except (ValueError, binascii.Error):
        return False
    if algorithm != "scrypt":
        return False
    return hmac.compare_digest(_scrypt(secret, salt, *cost), expected)


@cache
def _decoy_hash() -> str:
    return hash_secret("decoy", salt=b"\0" * _SALT_BYTES)


def check_in_force(*, expires_at: datetime | None, revoked_at: datetime | None, now: datetime) -> None:
    """A key whose secret matched may still be revoked or past its expiry."""
    if revoked_at is not None:
        raise AuthenticationFailed("API key was revoked.")
    if expires_at is not None and expires_at <= now:
        raise AuthenticationFailed("API key has expired.")


def spend_verification_time(secret: str) -> None:
    """Do the work of a real check for an unknown key id, so timing does not reveal which ids exist."""
    verify_secret(secret, _decoy_hash())


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, dklen=_HASH_BYTES)


def parse_basic_credentials(value: str) -> ApiKeyCredentials:
    """`Basic base64(keyId:secret)` as RFC 7617 says; a bare `keyId:secret` is accepted too."""
    candidate = value.strip()
    if not candidate.startswith(KEY_ID_PREFIX):
        try:
            candidate = base64.b64decode(candidate, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationFailed("Basic credentials are not valid base64.") from None
    key_id, separator, secret = candidate.partition(":")
    if not separator or not key_id or not secret:
        raise AuthenticationFailed("Basic credentials must be keyId:secret.")
    return ApiKeyCredentials(key_id=key_id, secret=secret)


def create_api_key(
    repository: TenantRepository,
    tenant_id: str,
    scopes: Iterable[str],
    *,
    now: datetime,
    expires_at: datetime | None = None,
) -> ApiKeyCredentials:
    """Create a key for an existing tenant; the secret is returned once and stored only as a hash.
    A key with `expires_at` is refused from that moment on."""
    requested = frozenset(scopes)
    unknown = requested - KNOWN_SCOPES
    if unknown:
        raise ValidationFailed(
            f"Unknown scopes: {', '.join(sorted(unknown))}.",
            field_errors={"scopes": [f"Known scopes: {', '.join(sorted(KNOWN_SCOPES))}."]},
        )
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(
            "An API key must expire in the future.", field_errors={"expiresAt": ["Must be after now."]}
        )
    credentials = new_api_key()
    repository.save_api_key(
        ApiKeyRecord(
            key_id=credentials.key_id,
            tenant_id=tenant_id,
            secret_hash=hash_secret(credentials.secret),
            scopes=requested,
            created=now,
            expires_at=expires_at,
        )
    )
    return credentials


def revoke_api_key(repository: TenantRepository, key_id: str, *, now: datetime) -> ApiKeyRecord:
    """Revoke a key for good. The authorizer refuses it on its next check; API Gateway may answer
    from its cached decision for the same Authorization header until that entry expires."""
    if repository.find_api_key(key_id) is None:
        raise NotFound(f"API key {key_id} does not exist.")
    return repository.revoke_api_key(key_id, revoked_at=now)
