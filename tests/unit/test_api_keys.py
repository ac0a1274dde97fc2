import base64

import pytest

from invoicing.auth.api_keys import hash_secret, new_api_key, parse_basic_credentials, verify_secret
from invoicing.errors import AuthenticationFailed


def test_a_secret_verifies_against_its_own_hash_only():
    stored = hash_secret("correct horse")

    assert verify_secret("correct horse", stored)
    assert not verify_secret("correct horse ", stored)
    assert not verify_secret("", stored)


def test_the_hash_is_salted_and_never_contains_the_secret():
    first, second = hash_secret("s3cret-value"), hash_secret("s3cret-value")

    assert first != second
    assert "s3cret-value" not in first
    assert first.startswith("scrypt$")


@pytest.mark.parametrize("stored", ["", "plain", "md5$1$2$3$c2FsdA==$ZGln", "scrypt$x$8$1$!!$!!"])
def test_a_malformed_stored_hash_never_verifies(stored):
    assert not verify_secret("anything", stored)


def test_new_keys_are_unique_and_prefixed():
    keys = {new_api_key().key_id for _ in range(50)}

    assert len(keys) == 50
    assert all(key.startswith("ak_") for key in keys)


def test_basic_credentials_are_read_from_base64_as_rfc_7617_says():
    encoded = base64.b64encode(b"ak_123:the-secret").decode()

    credentials = parse_basic_credentials(encoded)

    assert (credentials.key_id, credentials.secret) == ("ak_123", "the-secret")


def test_a_bare_key_id_and_secret_is_accepted_too():
    credentials = parse_basic_credentials("ak_123:se:cret")

    assert (credentials.key_id, credentials.secret) == ("ak_123", "se:cret")


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"no-colon").decode(), "ak_1:", "ak_1"])
def test_malformed_basic_credentials_are_refused(value):
    with pytest.raises(AuthenticationFailed):
        parse_basic_credentials(value)
