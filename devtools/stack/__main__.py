"""`python -m devtools.stack --port 3000 [--state-dir .local] [--parameter-overrides K=V ...]`."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from devtools.stack.stack import LocalStack, announce
from devtools.stack.state import DEFAULT_STATE_DIR, StackNotRunningError, read_stack_state
from devtools.template import TEMPLATE_PATH, local_deployment


def _override(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m devtools.stack", description=__doc__)
    root.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT") or 3000),
        help="API port (default: $PORT or 3000)",
    )
    root.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="stack.json and the outbox")
    root.add_argument("--parameter-overrides", nargs="*", type=_override, default=[], metavar="NAME=VALUE")
    root.add_argument(
        "--template", type=Path, default=TEMPLATE_PATH, help="SAM template (default: template.yaml)"
    )
    return root


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        running = read_stack_state(arguments.state_dir)
    except StackNotRunningError:
        pass
    else:
        print(
            f"A local stack already runs for {arguments.state_dir}: {running.api_url} (pid {running.pid}).",
            file=sys.stderr,
        )
        return 1
    # the public links of invoices start with the stack's own address
    overrides = {"PublicBaseUrl": f"http://127.0.0.1:{arguments.port}", **dict(arguments.parameter_overrides)}
    deployment = local_deployment(overrides, arguments.template)
    stopping = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stopping.set())
    stack = LocalStack(deployment, arguments.template, arguments.port, arguments.state_dir)
    try:
        state = stack.start()
    except OSError as error:
        print(f"The local stack could not start: {error}", file=sys.stderr)
        return 1
    announce(state, stack.outbox, stack.not_local)
    stopping.wait()
    print("Stopping the local stack ...", flush=True)
    stack.stop()
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is stopped by now; finalising moto's many modules would only add seconds to Ctrl-C.
    os._exit(status)
