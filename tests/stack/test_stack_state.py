"""stack.json: written by the stack, read by the admin command line and `make job`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.stack.state import (
    StackNotRunningError,
    StackState,
    read_stack_state,
    remove_stack_state,
    write_stack_state,
)


def state(pid: int) -> StackState:
    return StackState(
        api_url="http://127.0.0.1:3000",
        moto_endpoint="http://127.0.0.1:5000",
        region="eu-west-1",
        stack_name="invoicing-local",
        stage="dev",
        parameters={"Stage": "dev"},
        pid=pid,
        template="/repo/template.yaml",
    )


def test_the_state_of_a_running_stack_is_read_back(tmp_path: Path) -> None:
    write_stack_state(tmp_path, state(os.getpid()))

    assert read_stack_state(tmp_path) == state(os.getpid())


def test_no_state_file_means_no_stack(tmp_path: Path) -> None:
    with pytest.raises(StackNotRunningError, match="No local stack is running"):
        read_stack_state(tmp_path)


def test_a_state_file_left_by_a_dead_stack_means_no_stack(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    write_stack_state(tmp_path, state(int(finished.stdout)))

    with pytest.raises(StackNotRunningError, match="is gone"):
        read_stack_state(tmp_path)


def test_removing_the_state_ends_it(tmp_path: Path) -> None:
    write_stack_state(tmp_path, state(os.getpid()))
    remove_stack_state(tmp_path)

    with pytest.raises(StackNotRunningError):
        read_stack_state(tmp_path)


def test_an_unreadable_state_file_means_no_stack(tmp_path: Path) -> None:
    (tmp_path / "stack.json").write_text('{"api_url": "http://x"}')

    with pytest.raises(StackNotRunningError, match="unreadable"):
        read_stack_state(tmp_path)
