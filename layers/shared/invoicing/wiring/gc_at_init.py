"""No cyclic garbage collection during a Lambda init, and nothing the init built scanned afterwards.

An init allocates what lives as long as the execution environment: modules, classes, models,
botocore's service model. The collector, triggered by those allocations, scans them again and again
and frees next to nothing (about 25 ms of a cold request's CPU, BENCHMARKS.md). On Lambda
(`AWS_EXECUTION_ENV`, which the local stack's workers also set), importing the wiring, which every
function file imports first, turns collection off; the wiring turns it back on when it builds the
entry point, the end of the init, after moving everything built so far into the permanent generation
(`gc.freeze`), where no later collection looks. Elsewhere (tests, tools) nothing changes.
"""

from __future__ import annotations

import gc
import os


def _on_lambda() -> bool:
    return os.environ.get("AWS_EXECUTION_ENV", "").startswith("AWS_Lambda_")


def pause_collection() -> None:
    if _on_lambda():
        gc.disable()


def freeze_and_resume_collection() -> None:
    """The end of the init: idempotent, so a second entry point built changes nothing more."""
    if _on_lambda() and not gc.isenabled():
        gc.freeze()
        gc.enable()
