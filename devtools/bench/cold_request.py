"""The cold request: import plus the first request of each API function, in a fresh process.

Each run is a new `.venv-lambda` interpreter (as `cold_start` starts one) that imports the
function's handler module and answers the function's `events/` sample, against a minimal boto3
handler doing one DynamoDB GetItem in the same rounds, and against the stack floor
(`stack_floor_handler`: the same read through the libraries every API function is built on, none of
the project's code). moto serves AWS from this process on a local port
(`devtools.stack.moto_server`), so the measured process holds nothing Lambda would not: an in-
process mock would import botocore before the function and hide its largest import. Before each run
of a sample that writes, the moto state is reset and seeded again (a tenant, a draft and a sent
invoice), so a write meets the same state every time; the seeding is not timed. The timed part
starts at the import and ends with the answer, in the measured process's CPU time
(`time.process_time`): on a shared, loaded machine wall time mostly measures the neighbours, and the
process waits for nothing but moto, whose work is not the function's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
import os
import subprocess
import tempfile
import urllib.request
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devtools.bench.cold_start import FLOOR_NAME, RUN_TIMEOUT_SECONDS, Target, base_environment, targets
from devtools.bench.report import Section
from devtools.bench.stats import summarize
from devtools.template import ROOT, LocalDeployment

SECTIONS = {False: "cold-request", True: "cold-request-traced"}
BYTECODE_SECTION = "cold-request-bytecode"
#: measured again without shipped bytecode: the baselines and functions of one, two and many models
WITHOUT_BYTECODE = (
    "minimal boto3 handler",
    FLOOR_NAME,
    "SettingsFunction",
    "InvoicesFunction",
    "LifecycleFunction",
)
#: what the Lambda runtime sets for an invocation of a function with active tracing
TRACE_HEADER = "Root=1-67a1f2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"
TARGET_RATIO = 1.3
BASELINE_DIRECTORY = Path(__file__).parent
SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
SAMPLE_TENANT = "acme"
#: each API function's sample, and whether it acts on the draft invoice rather than the sent one
SAMPLES: dict[str, tuple[str, bool]] = {
    FLOOR_NAME: ("settings/get-settings.json", False),
    "MeFunction": ("me/get-me.json", False),
    "SettingsFunction": ("settings/get-settings.json", False),
    "InvoicesFunction": ("invoices/find-invoice.json", False),
    "LifecycleFunction": ("lifecycle/publish.json", True),
    "FiguresFunction": ("figures/count-by-status.json", False),
    "SearchFunction": ("search/find-page.json", False),
    "DocumentsFunction": ("documents/get-attachment.json", False),
    "DeliveryFunction": ("delivery/send.json", False),
    "DocsFunction": ("docs/get-swagger-ui.json", False),
    "InvoiceViewFunction": ("invoice_view/get-invoice.json", False),
    "SchedulingFunction": ("scheduling/with-recurring-drafts.json", False),
    "PaymentsFunction": ("payments/pay-card.json", False),
    "NotificationsFunction": ("notifications/notify-by-email.json", False),
    "PublicPageFunction": ("public_page/open-page.json", False),
}
RESULT_MARK = "cold-request:"
PROBE = f"""\
import json, sys, time, types
event = json.loads(open(sys.argv[2], encoding="utf-8").read())
context = types.SimpleNamespace(
    function_name="bench", memory_limit_in_mb=512, aws_request_id="bench", function_version="$LATEST",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:bench",
    get_remaining_time_in_millis=lambda: 10_000,
)
sys.path[:0] = sys.argv[3:]
started = time.process_time()
module = __import__(sys.argv[1])
imported = time.process_time()
response = module.lambda_handler(event, context)
answered = time.process_time()
print({RESULT_MARK!r}, json.dumps([imported - started, answered - started, response["statusCode"]]))
"""


@dataclass
class Outcome:
    """A target's import and cold-request seconds, the status it answered, or why it failed."""

    target: Target
    #: the `events/` sample, and whether it acts on the draft invoice rather than the sent one
    sample: tuple[str, bool]
    imports: list[float] = field(default_factory=list)
    requests: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    error: str | None = None


def _seed(endpoint: str, deployment: LocalDeployment) -> tuple[str, str]:
    """A fresh moto state: every resource, the sample tenant, a draft and a sent invoice."""
    from devtools.invoice_fixtures import new_invoice
    from devtools.stack.provision import provision_resources
    from invoicing.adapters.invoice_store import DynamoInvoiceRepository
    from invoicing.adapters.tenant_store import DynamoTenantRepository
    from invoicing.invoices import kernel
    from invoicing.invoices.lifecycle import NumberingPolicy
    from invoicing.invoices.workflow import publish_invoice
    from invoicing.tenants.model import NewTenant

    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=RUN_TIMEOUT_SECONDS):
        pass
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        provision_resources(deployment, endpoint)
    table = deployment.ref("InvoicingTable")
    now = datetime.now(UTC).replace(microsecond=0)
    tenant = NewTenant(SAMPLE_TENANT, "Acme", "EUR", "billing@acme.test")
    DynamoTenantRepository(table).create_tenant(tenant, created=now)
    repository = DynamoInvoiceRepository(table)
    fields: dict[str, Any] = {
        "contactEmail": "ap@globex.test",
        "rows": [{"description": "Work", "quantity": 1, "unitPrice": 100}],
    }
    draft, draft_event = new_invoice(SAMPLE_TENANT, created=now, **fields)
    sent, sent_event = new_invoice(SAMPLE_TENANT, created=now, **fields)
    repository.create(draft, draft_event)
    repository.create(sent, sent_event)
    actor = kernel.Actor(tenant_id=SAMPLE_TENANT, subject="bench")
    publish_invoice(repository, NumberingPolicy(), SAMPLE_TENANT, sent.id, actor=actor, now=now)
    return draft.id, sent.id


def _bytecode_options(python: Path, pycache: Path | None) -> list[str]:
    """The bytecode cache at `pycache`; with none, a cache directory that does not exist and is
    never written (`-B`; `-I` ignores PYTHONDONTWRITEBYTECODE), as on Lambda without `.pyc` files."""
    if pycache is None:
        return ["-B", "-X", f"pycache_prefix={python.parent.parent / 'no-pycache'}"]
    return ["-X", f"pycache_prefix={pycache}"]


def _run_once(
    python: Path, pycache: Path | None, target: Target, event: Path, endpoint: str
) -> tuple[float, float, int]:
    completed = subprocess.run(
        [
            str(python),
            "-I",
            *_bytecode_options(python, pycache),
            "-c",
            PROBE,
            target.module,
            str(event),
            *map(str, [target.directory, *target.layers]),
        ],
        cwd=target.directory,
        env=target.environment | {"AWS_ENDPOINT_URL": endpoint},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    results = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if completed.returncode != 0 or not results:
        lines = completed.stderr.strip().splitlines() or [f"exit status {completed.returncode}"]
        raise RuntimeError(lines[-1])
    imported, answered, status = json.loads(results[-1].removeprefix(RESULT_MARK))
    return float(imported), float(answered), int(status)


@dataclass
class SeededMoto:
    """moto served from this process, and the draft and sent invoice of its last seeding."""

    endpoint: str
    deployment: LocalDeployment
    invoice_ids: tuple[str, str] | None = None

    def invoices(self, *, after_a_write: bool) -> tuple[str, str]:
        """The invoices to run a sample on, seeded afresh when the last run may have changed them."""
        if self.invoice_ids is None or after_a_write:
            self.invoice_ids = _seed(self.endpoint, self.deployment)
        return self.invoice_ids


def _sample(python: Path, pycache: Path | None, outcome: Outcome, moto: SeededMoto) -> None:
    """One timed run, on a fresh seeding when the sample writes; a failure is recorded in `outcome`
    and stops its runs."""
    sample, on_draft = outcome.sample
    try:
        text = (ROOT / "events" / sample).read_text(encoding="utf-8")
        draft_id, sent_id = moto.invoices(after_a_write=json.loads(text)["httpMethod"] != "GET")
        with tempfile.TemporaryDirectory(prefix="cold-request-") as directory:
            event = Path(directory) / "event.json"
            event.write_text(text.replace(SAMPLE_ID, draft_id if on_draft else sent_id), encoding="utf-8")
            imported, answered, status = _run_once(python, pycache, outcome.target, event, moto.endpoint)
    except (RuntimeError, ValueError, OSError, subprocess.TimeoutExpired) as error:
        outcome.error = str(error)
        return
    outcome.imports.append(imported)
    outcome.requests.append(answered)
    outcome.statuses.add(status)


def traced(target: Target) -> Target:
    """`target` with tracing as the template deploys it (`Tracing: Active`): the X-Ray SDK records
    each invocation, whose trace header the runtime sets, and sends it to the (absent) daemon."""
    environment = {k: v for k, v in target.environment.items() if k != "POWERTOOLS_TRACE_DISABLED"}
    return dataclasses.replace(target, environment=environment | {"_X_AMZN_TRACE_ID": TRACE_HEADER})


def measure(
    python: Path, moto: SeededMoto, runs: int, tracing: bool, only: Collection[str] | None = None
) -> list[Outcome]:
    """One untimed round, then `runs` timed rounds in rotating order; with `tracing`, the functions
    trace as deployed (the minimal handler has no SDK to trace with). `only` names the targets to
    measure without bytecode (compiled at import), instead of all of them with it."""
    deployment = moto.deployment
    environment = base_environment() | {"TABLE_NAME": deployment.ref("InvoicingTable")}
    baseline = Target(
        "minimal boto3 handler", "minimal_boto3_handler", BASELINE_DIRECTORY, environment, "baseline"
    )
    outcomes = [Outcome(baseline, ("settings/get-settings.json", False))]
    for target in targets(deployment):
        if target.name in SAMPLES:
            outcomes.append(Outcome(traced(target) if tracing else target, SAMPLES[target.name]))
    if only is not None:
        outcomes = [outcome for outcome in outcomes if outcome.target.name in only]
    pycache = None if only is not None else python.parent.parent / "pycache"
    for outcome in outcomes:
        _sample(python, pycache, outcome, moto)
        outcome.imports.clear()
        outcome.requests.clear()
    for round_number in range(runs):
        shift = round_number % len(outcomes)
        for outcome in outcomes[shift:] + outcomes[:shift]:
            if outcome.error is None:
                _sample(python, pycache, outcome, moto)
    return outcomes


def render(outcomes: Sequence[Outcome], runs: int, tracing: bool) -> Section:
    """The markdown section; FAIL marks a function above the target, ERROR one that did not answer."""
    baseline = outcomes[0]
    if baseline.error is not None:
        raise SystemExit(f"the minimal boto3 handler failed: {baseline.error}")
    base_request = summarize(baseline.requests)
    floor = next((o for o in outcomes if o.target.role == "floor" and o.error is None), None)
    floor_request = summarize(floor.requests) if floor else None
    rows, failures, errors = [], [], []
    for outcome in outcomes:
        name = outcome.target.name
        if outcome.error is not None:
            rows.append(f"| {name} | — | — | — | — | — | ERROR: {outcome.error} |")
            errors.append(f"{name} cold request failed: {outcome.error}")
            continue
        imported, answered = summarize(outcome.imports), summarize(outcome.requests)
        ratio = answered.ratio_to(base_request)
        statuses = ", ".join(map(str, sorted(outcome.statuses)))
        to_floor = f"{answered.ratio_to(floor_request):.2f}x" if floor_request else "—"
        result = {"baseline": "baseline", "floor": "stack floor"}.get(outcome.target.role)
        if result is None:
            result = "ok" if ratio <= TARGET_RATIO else "**FAIL**"
            if ratio > TARGET_RATIO:
                failures.append(
                    f"{name}'s cold request takes {ratio:.2f}x the minimal handler's (≤ {TARGET_RATIO}x)"
                )
        cells = [
            name,
            f"{imported.median_ms:.1f}",
            f"{answered.median_ms:.1f}",
            f"{answered.p90_ms:.1f}",
            f"{ratio:.2f}x",
            to_floor,
            f"{statuses}, {result}",
        ]
        rows.append("| " + " | ".join(cells) + " |")
    markdown = "\n".join(
        [
            f"## Cold request, tracing {'as deployed (X-Ray SDK on)' if tracing else 'off'}",
            "",
            "Import plus the first request of each API function, with its `events/` sample, in a fresh",
            "`.venv-lambda` process (the cold-start set-up), against a minimal handler (boto3, a client",
            "built at import, one GetItem of the tenant) in the same interleaved rounds. moto serves AWS",
            "from the bench process on a local port, reset and seeded before every run of a sample that",
            "writes (the sample tenant, a draft invoice for the lifecycle sample, a sent one for the",
            "others; the documents sample asks for an attachment the invoice does not have); the seeding is",
            "not timed. Times are CPU time of the measured process (a loaded machine disturbs wall time",
            f"far more). Target: a cold request within {TARGET_RATIO}x the minimal handler's. The stack",
            "floor (`devtools/bench/stack_floor_handler.py`) reads the same item through what every API",
            "function is built on (PynamoDB with its client built at init, powertools' validating REST",
            "resolver, a pydantic answer, Logger and Metrics) and none of the project's code: a",
            "function's ratio to it is what the project's own code adds.",
            "",
            "- Command: `make bench` (`devtools/bench/cold_request.py`)",
            f"- Date: {datetime.now(UTC):%Y-%m-%d}",
            f"- Runs: {runs} per target, after one untimed warm-up round",
            "",
            "| Function | Import ms | Cold request ms | p90 ms | Ratio | Ratio to floor | Status, result |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
            *rows,
        ]
    )
    return Section(SECTIONS[tracing], markdown, failures=tuple(failures), errors=tuple(errors))


def run(python: Path, deployment: LocalDeployment, runs: int) -> list[Section]:
    """Tracing off (as the cold-start table measures), then as deployed, against one moto server."""
    from devtools.stack.moto_server import MotoServer
    from invoicing.adapters.dynamodb import forget_connections

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = MotoServer()
    server.start()
    saved_environment = dict(os.environ)
    os.environ.update(base_environment(), AWS_ENDPOINT_URL=server.endpoint)
    try:
        return _measured_sections(python, SeededMoto(server.endpoint, deployment), runs)
    finally:
        os.environ.clear()
        os.environ.update(saved_environment)
        server.stop()
        forget_connections()


def _measured_sections(python: Path, moto: SeededMoto, runs: int) -> list[Section]:
    sections, untraced = [], []
    for tracing in (False, True):
        print(f"cold request, tracing {tracing}: {len(SAMPLES) + 1} targets x {runs} runs ...", flush=True)
        outcomes = measure(python, moto, runs, tracing)
        untraced = untraced or outcomes
        sections.append(render(outcomes, runs, tracing))
    print(f"cold request without bytecode: {len(WITHOUT_BYTECODE)} targets x {runs} runs ...", flush=True)
    compiled = measure(python, moto, runs, tracing=False, only=WITHOUT_BYTECODE)
    sections.append(render_bytecode(untraced, compiled, runs))
    return sections


def render_bytecode(cached: Sequence[Outcome], compiled: Sequence[Outcome], runs: int) -> Section:
    """Each target's cold request with the bytecode `make build` ships and without any."""
    with_bytecode = {outcome.target.name: outcome for outcome in cached}
    rows, errors = [], []
    for outcome in compiled:
        name, shipped = outcome.target.name, with_bytecode.get(outcome.target.name)
        if outcome.error is not None or shipped is None or shipped.error is not None:
            error = outcome.error or (shipped.error if shipped else "not measured with bytecode")
            rows.append(f"| {name} | — | — | ERROR: {error} |")
            errors.append(f"{name} cold request without bytecode failed: {error}")
            continue
        fast, slow = summarize(shipped.requests), summarize(outcome.requests)
        cells = [name, f"{fast.median_ms:.1f}", f"{slow.median_ms:.1f}", f"{slow.ratio_to(fast):.2f}x"]
        rows.append("| " + " | ".join(cells) + " |")
    markdown = "\n".join(
        [
            "## Cold request without shipped bytecode",
            "",
            "Lambda's code directories are read-only, so a module packaged without its `.pyc` is compiled",
            "at every cold start; `sam build` ships none. `make build` compiles every module of the build",
            "(unchecked-hash `.pyc` files, since a package's files all carry the same date) and",
            "`devtools.check_build` fails a build without them. The cold request of the tracing-off table",
            "above, against the same probe with an empty bytecode cache Python may not write to (what a",
            "deployment of `sam build`'s output alone would run), CPU ms.",
            "",
            "- Command: `make bench` (`devtools/bench/cold_request.py`)",
            f"- Date: {datetime.now(UTC):%Y-%m-%d}",
            f"- Runs: {runs} per target, after one untimed warm-up round",
            "",
            "| Target | With bytecode ms | Compiled at import ms | Ratio |",
            "| --- | ---: | ---: | ---: |",
            *rows,
        ]
    )
    return Section(BYTECODE_SECTION, markdown, errors=tuple(errors))
