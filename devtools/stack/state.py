"""`<state-dir>/stack.json`: how other tools (admin CLI, `make job`) find the running local stack."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_STATE_DIR = Path(".local")
STATE_FILE = "stack.json"


class StackNotRunningError(RuntimeError):
    """No local stack answers for this state directory."""


@dataclass(frozen=True)
class StackState:
    api_url: str
    moto_endpoint: str
    region: str
    stack_name: str
    stage: str
    parameters: dict[str, str]
    pid: int
    template: str


def write_stack_state(state_dir: Path, state: StackState) -> Path:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / STATE_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(state), indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def remove_stack_state(state_dir: Path) -> None:
    (state_dir / STATE_FILE).unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_stack_state(state_dir: Path = DEFAULT_STATE_DIR) -> StackState:
    """The running stack's state; StackNotRunningError when none runs for `state_dir`."""
    path = Path(state_dir) / STATE_FILE
    hint = "Start it with `make run` (or `python -m devtools.stack --state-dir ...`)."
    try:
        state = StackState(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise StackNotRunningError(f"No local stack is running: {path} does not exist. {hint}") from None
    except (json.JSONDecodeError, TypeError) as error:
        raise StackNotRunningError(f"{path} is unreadable ({error}). {hint}") from None
    if not _process_alive(state.pid):
        raise StackNotRunningError(f"The local stack of {path} (pid {state.pid}) is gone. {hint}")
    return state
