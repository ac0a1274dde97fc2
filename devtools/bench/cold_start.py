"""Cold start: time to import each function's handler module in a fresh process, against `import boto3`
and against the stack floor (`stack_floor_handler`: the libraries every API function is built on,
none of the project's code).

Every run is a new interpreter from `.venv-lambda` in isolated mode (`-I`), with `sys.path` led by the
function's directory and its template layers and with the environment the template gives the function,
since the functions validate it at import. The baseline process imports only boto3. Rounds visit
every target once, in rotating order, so machine noise spreads evenly; a first, untimed round fills
the bytecode cache (kept under `.venv-lambda`, not in the source tree) and catches import errors.
`.venv-lambda` holds only the shared layer's requirements: fpdf2 (the PDF layer's) is missing on
purpose, so a function that imported it at cold start fails here instead of silently paying for it.
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from devtools.bench.report import Section
from devtools.bench.stats import Summary, summarize
from devtools.template import REGION, ROOT, LocalDeployment

SECTION = "cold-start"
BENCH_DIRECTORY = Path(__file__).parent
FLOOR_NAME = "stack floor"
API_TARGET_RATIO = 1.5
RUN_TIMEOUT_SECONDS = 60
PROBE = """\
import sys, time
sys.path[:0] = sys.argv[2:]
started = time.process_time()
__import__(sys.argv[1])
print(time.process_time() - started)
"""


@dataclass(frozen=True)
class Target:
    """One thing to import: the boto3 baseline, the stack floor or a function's handler module."""

    name: str
    module: str
    directory: Path
    environment: dict[str, str]
    role: Literal["baseline", "floor", "api", "authorizer", "other"]
    #: the source directories of the function's layers (`/opt/python` on Lambda)
    layers: tuple[Path, ...] = ()

    @property
    def sys_path(self) -> list[str]:
        return [str(self.directory), *map(str, self.layers)] if self.role != "baseline" else []


@dataclass
class Outcome:
    """A target's samples in seconds, or why it could not be imported."""

    target: Target
    samples: list[float] = field(default_factory=list)
    error: str | None = None


def base_environment() -> dict[str, str]:
    """What every Lambda process has, with dummy credentials: nothing reaches AWS at import."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def targets(deployment: LocalDeployment) -> list[Target]:
    """The boto3 baseline and the stack floor first, then every AWS::Serverless::Function of the
    template."""
    authorizer = deployment.authorizer_function()[0]
    floor_environment = base_environment() | {"TABLE_NAME": deployment.ref("InvoicingTable")}
    found = [
        Target("boto3", "boto3", ROOT, base_environment(), "baseline"),
        Target(FLOOR_NAME, "stack_floor_handler", BENCH_DIRECTORY, floor_environment, "floor"),
    ]
    for logical_id in deployment.functions:
        properties = deployment.function_properties(logical_id)
        directory = deployment.function_directory(logical_id)
        events = properties.get("Events", {}).values()
        role: Literal["api", "authorizer", "other"]
        if logical_id == authorizer:
            role = "authorizer"
        elif any(event.get("Type") == "Api" for event in events):
            role = "api"
        else:
            role = "other"
        environment = base_environment() | deployment.function_environment(logical_id)
        environment |= {
            "AWS_LAMBDA_FUNCTION_NAME": deployment.physical_name(logical_id),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(properties.get("MemorySize", 128)),
            "LAMBDA_TASK_ROOT": str(directory),
        }
        module = properties["Handler"].rsplit(".", 1)[0]
        layers = tuple(deployment.function_layer_directories(logical_id))
        found.append(Target(logical_id, module, directory, environment, role, layers))
    return found


def import_seconds(python: Path, pycache: Path, target: Target) -> float:
    """Import `target.module` once in a fresh isolated interpreter: its CPU time, not process start-up
    (on a shared machine, wall time measures the neighbours' load as much as the import)."""
    completed = subprocess.run(
        [str(python), "-I", "-X", f"pycache_prefix={pycache}", "-c", PROBE, target.module, *target.sys_path],
        cwd=target.directory,
        env=target.environment,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        lines = completed.stderr.strip().splitlines() or [f"exit status {completed.returncode}"]
        raise RuntimeError(lines[-1])
    return float(completed.stdout.strip().splitlines()[-1])


def _sample(python: Path, pycache: Path, outcome: Outcome) -> float | None:
    """One import's seconds, or None after recording in `outcome` why it failed."""
    try:
        return import_seconds(python, pycache, outcome.target)
    except (RuntimeError, ValueError, OSError, subprocess.TimeoutExpired) as error:
        outcome.error = str(error)
        return None


def measure(python: Path, to_measure: Sequence[Target], runs: int) -> list[Outcome]:
    """One untimed round, then `runs` timed rounds in rotating order; a target that fails drops out."""
    pycache = python.parent.parent / "pycache"
    outcomes = [Outcome(target) for target in to_measure]
    for outcome in outcomes:
        _sample(python, pycache, outcome)
    for round_number in range(runs):
        shift = round_number % len(outcomes)
        for outcome in outcomes[shift:] + outcomes[:shift]:
            if outcome.error is None and (seconds := _sample(python, pycache, outcome)) is not None:
                outcome.samples.append(seconds)
    return outcomes


def _target_label(target: Target) -> str:
    if target.role == "api":
        return f"≤ {API_TARGET_RATIO}x"
    labels = {"baseline": "baseline", "floor": "stack floor", "authorizer": "reported (authorizer)"}
    return labels.get(target.role, "reported")


def _row(outcome: Outcome, baseline: Summary, floor: Summary | None) -> tuple[str, str | None]:
    """A table row, and the failure message if an API function misses the target."""
    target = outcome.target
    summary = summarize(outcome.samples)
    ratio = summary.ratio_to(baseline)
    to_floor = f"{summary.ratio_to(floor):.2f}x" if floor else "—"
    result, failure = "—", None
    if target.role == "api":
        result = "ok" if ratio <= API_TARGET_RATIO else "**FAIL**"
        if ratio > API_TARGET_RATIO:
            failure = f"{target.name} imports in {ratio:.2f}x the boto3 time (target ≤ {API_TARGET_RATIO}x)"
    cells = [target.name, f"{summary.median_ms:.1f}", f"{summary.p90_ms:.1f}", f"{ratio:.2f}x", to_floor]
    return "| " + " | ".join([*cells, _target_label(target), result]) + " |", failure


def render(outcomes: Sequence[Outcome], runs: int, python_version: str, boto3_version: str) -> Section:
    """The markdown section; FAIL marks an API function above the target, ERROR an import failure."""
    baseline = next(outcome for outcome in outcomes if outcome.target.role == "baseline")
    if baseline.error is not None:
        raise SystemExit(f"the boto3 baseline does not import in .venv-lambda: {baseline.error}")
    base = summarize(baseline.samples)
    floor = next((o for o in outcomes if o.target.role == "floor" and o.error is None), None)
    floor_summary = summarize(floor.samples) if floor else None
    rows, failures, errors = [], [], []
    for outcome in outcomes:
        if outcome.error is None:
            row, failure = _row(outcome, base, floor_summary)
            rows.append(row)
            failures += [failure] if failure else []
            continue
        name, label = outcome.target.name, _target_label(outcome.target)
        rows.append(f"| {name} | — | — | — | — | {label} | ERROR: {outcome.error} |")
        errors.append(f"{name} does not import: {outcome.error}")
    markdown = "\n".join(
        [
            "## Cold start",
            "",
            "Time to import each function's handler module in a fresh Python process, against a process",
            "that only imports boto3. Interpreter: `.venv-lambda` (only `layers/shared/requirements.txt`",
            "installed, as in the deployed layer; no fpdf2, which no function may import at cold start);",
            "`sys.path` led by the function's directory and its layers (`layers/shared`, and `layers/pdf`",
            "for the functions that render PDFs); the function's template environment with dummy",
            "credentials; bytecode cached; runs interleaved; CPU time of the importing process (wall time",
            "on this shared machine measures the neighbours as much). API functions must import within",
            f"{API_TARGET_RATIO}x the boto3 time. The stack floor (`devtools/bench/stack_floor_handler.py`)",
            "imports what every API function is built on (PynamoDB with its client built at init,",
            "powertools' validating REST resolver, pydantic, Logger and Metrics) and none of the project's",
            "code: a function's ratio to it is what the project's own code adds.",
            "",
            "- Command: `make bench`",
            f"- Date: {date.today().isoformat()}",
            f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs",
            f"- Python {python_version}, boto3 {boto3_version}",
            f"- Runs: {runs} per target, after one untimed warm-up round",
            "",
            "| Function | Median ms | p90 ms | Ratio to boto3 | Ratio to floor | Target | Result |",
            "| --- | ---: | ---: | ---: | ---: | --- | --- |",
            *rows,
        ]
    )
    return Section(SECTION, markdown, failures=tuple(failures), errors=tuple(errors))


def interpreter_versions(python: Path) -> tuple[str, str]:
    """Python and boto3 versions of the measuring interpreter."""
    completed = subprocess.run(
        [
            str(python),
            "-I",
            "-c",
            "import platform, importlib.metadata as m; print(platform.python_version(), m.version('boto3'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    python_version, boto3_version = completed.stdout.split()
    return python_version, boto3_version


def run(python: Path, deployment: LocalDeployment, runs: int) -> Section:
    to_measure = targets(deployment)
    print(f"cold start: {len(to_measure)} targets x {runs} runs ...", flush=True)
    outcomes = measure(python, to_measure, runs)
    return render(outcomes, runs, *interpreter_versions(python))
