"""The local stack as a subprocess for end-to-end tests, and the admin command line against it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from devtools.stack.state import StackNotRunningError, read_stack_state
from devtools.template import ROOT

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0


class StackStartError(RuntimeError):
    """The stack did not come up; the message carries its output."""


class AdminCommandError(RuntimeError):
    """The admin command line failed; the message carries its error output."""


@dataclass(frozen=True)
class RunningStack:
    base_url: str
    state_dir: Path
    moto_endpoint: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def python_environment() -> dict[str, str]:
    """The environment for `python -m devtools...` subprocesses: the repository and the shared layer."""
    paths = [str(ROOT), str(ROOT / "layers" / "shared")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONUNBUFFERED": "1"}


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _wait_until_up(process: subprocess.Popen[bytes], state_dir: Path, log: Path) -> RunningStack:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackStartError(f"the stack exited with {process.returncode}:\n{log.read_text()}")
        try:
            state = read_stack_state(state_dir)
        except StackNotRunningError:
            time.sleep(0.1)
            continue
        if state.pid == process.pid and _answers(f"{state.api_url}/"):
            return RunningStack(state.api_url, state_dir, state.moto_endpoint, log)
        time.sleep(0.1)
    raise StackStartError(
        f"the stack did not answer within {START_TIMEOUT_SECONDS:.0f} s:\n{log.read_text()}"
    )


@contextmanager
def running_stack(state_dir: Path, *arguments: str) -> Iterator[RunningStack]:
    """`python -m devtools.stack` on a free port with `state_dir`; stopped (SIGTERM) on exit."""
    state_dir.mkdir(parents=True, exist_ok=True)
    log = state_dir / "stack.log"
    command = [
        sys.executable,
        "-m",
        "devtools.stack",
        "--port",
        str(free_port()),
        "--state-dir",
        str(state_dir),
        *arguments,
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=python_environment(), stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield _wait_until_up(process, state_dir, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_admin(stack: RunningStack, *arguments: str) -> str:
    """Run `python -m devtools.admin --state-dir <stack> ...`; its output, whose last line is the secret."""
    completed = subprocess.run(
        [sys.executable, "-m", "devtools.admin", "--state-dir", str(stack.state_dir), *arguments],
        cwd=ROOT,
        env=python_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if completed.returncode != 0:
        raise AdminCommandError(
            f"admin {' '.join(arguments)} failed ({completed.returncode}):\n{completed.stderr}"
        )
    return completed.stdout


def run_jobs(stack: RunningStack, at: str) -> str:
    """`make jobs AT=<at>` against the stack (`python -m devtools.stack.jobs`): its output, whose
    last lines are the summary, one per job; AdminCommandError when a job failed."""
    completed = subprocess.run(
        [sys.executable, "-m", "devtools.stack.jobs", "--state-dir", str(stack.state_dir), "--at", at],
        cwd=ROOT,
        env=python_environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        raise AdminCommandError(
            f"jobs as of {at} failed ({completed.returncode}):\n{completed.stdout}{completed.stderr}"
        )
    return completed.stdout
