"""Revoking and expiring API keys with the admin command line, seen over HTTP."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from devtools.stack.testing import AdminCommandError, run_admin
from tests.e2e.client import ApiClient, assert_problem

pytestmark = pytest.mark.e2e


def new_key(local_stack, *options: str) -> str:
    return run_admin(local_stack, "create-api-key", "--tenant", "acme", *options).splitlines()[-1]


def test_a_revoked_key_is_401_once_the_authorizer_checks_it_again(local_stack):
    key = new_key(local_stack)
    key_id = key.split(":")[0]
    encoded = ApiClient(local_stack.base_url, "Basic " + base64.b64encode(key.encode()).decode())
    bare = ApiClient(local_stack.base_url, f"Basic {key}")
    assert encoded.get("/v1/me").status == 200

    output = run_admin(local_stack, "revoke-api-key", "--key-id", key_id)

    assert output.splitlines()[-1] == key_id
    assert "within 300 s" in output
    # API Gateway (and the local stack) answers from the decision it cached for this exact header
    assert encoded.get("/v1/me").status == 200
    # the same key under another header is not cached: the authorizer reads the revocation
    assert_problem(bare.get("/v1/me"), 401)


def test_a_key_revoked_before_its_first_use_is_401(local_stack):
    key = new_key(local_stack)
    run_admin(local_stack, "revoke-api-key", "--key-id", key.split(":")[0])

    assert_problem(ApiClient(local_stack.base_url, f"Basic {key}").get("/v1/me"), 401)


def test_a_key_with_an_expiry_works_until_then_and_cannot_be_made_already_expired(local_stack):
    key = new_key(local_stack, "--expires-in-days", "30")
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()

    assert ApiClient(local_stack.base_url, f"Basic {key}").get("/v1/me").status == 200
    assert new_key(local_stack, "--expires-at", soon).startswith("ak_")
    with pytest.raises(AdminCommandError, match="must expire in the future"):
        new_key(local_stack, "--expires-at", "2020-01-01T00:00:00Z")
    with pytest.raises(AdminCommandError, match="does not exist"):
        run_admin(local_stack, "revoke-api-key", "--key-id", "ak_unknown")
