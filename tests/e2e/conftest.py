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
    """The stack of template.yaml, shared by the session: `.base_url`, `.state_dir`, `.moto_endpoint`."""
    with running_stack(tmp_path_factory.mktemp("local-stack")) as stack:
        yield stack
