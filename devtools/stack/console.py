"""The stack's console: whole lines from many threads and workers, never interleaved mid-line."""

from __future__ import annotations

import sys
import threading

_lock = threading.Lock()


def say(line: str) -> None:
    with _lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def say_from(source: str, line: str) -> None:
    say(f"[{source}] {line}")
