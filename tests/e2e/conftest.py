"""End-to-end fixtures: the local stack (`python -m devtools.stack`) as a subprocess on a free port.

Use `local_stack` in tests marked `@pytest.mark.e2e`; `run_admin(local_stack, "issue-token", ...)`
runs the admin command line against it and returns its output (the token is the last line).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.stack.testing import RunningStack, run_admin, running_stack

__all__ = ["run_admin"]


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The stack of template.yaml, shared by the session: `.base_url`, `.state_dir`, `.moto_endpoint`.
    A failed send is retried after one second (not the deployed 30) so retries fit in a test."""
    overrides = ("--parameter-overrides", "DeliveryRetryBaseSeconds=1")
    with running_stack(tmp_path_factory.mktemp("local-stack"), *overrides) as stack:
        yield stack


@pytest.fixture(scope="session")
def client_for(local_stack: RunningStack):
    """`client_for("acme", scopes="invoices:read")`: an API client with a fresh bearer token."""
    from tests.e2e.client import ApiClient

    def make(tenant: str, scopes: str = "invoices:read invoices:write") -> ApiClient:
        token = run_admin(local_stack, "issue-token", "--tenant", tenant, "--scopes", scopes).splitlines()[-1]
        return ApiClient(local_stack.base_url, f"Bearer {token}")

    return make
