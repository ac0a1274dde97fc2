"""`make fuzz`: schemathesis against the local stack's own OpenAPI document.

Starts the local stack on a free port with a state directory of its own, provisions two tenants with
a bearer token each (the second one the first one's peer) and a few invoices
(`devtools.fuzz_fixtures`), fetches `GET /v1/openapi.json`, runs `st run` on it with
`schemathesis.toml` (every check, a fixed seed, a time budget and bounded examples per operation),
and stops the stack whatever happens. Failures listed in `fuzz-baseline.json` are accepted
deviations, each with its reason. The run's summary (operations, requests, failures by check) is
printed last, and with `--benchmarks` written to BENCHMARKS.md; schemathesis' reports and the
stack's log stay in `--report-dir`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devtools.bench.report import Section, write_section
from devtools.fuzz_fixtures import (
    FixtureError,
    download_document,
    provision,
    write_dictionaries,
    write_wfc_auth,
)
from devtools.stack.testing import AdminCommandError, StackStartError, run_admin, running_stack
from devtools.template import ROOT

CONFIG_PATH = ROOT / "schemathesis.toml"
BENCHMARKS_PATH = ROOT / "BENCHMARKS.md"
BASELINE_PATH = ROOT / "fuzz-baseline.json"
TENANT = "fuzz"
#: a second tenant, whose reads of the first one's invoices object_level_authorization tries
PEER_TENANT = "fuzz-peer"
#: the environment variable schemathesis.toml reads the first tenant's client id from
CLIENT_ID_ENVIRONMENT_NAME = "FUZZ_CLIENT_ID"
_CLIENT_ID = re.compile(r"^tenant \S+: clientId (\d+),", re.MULTILINE)
SCHEMA_PATH = "/v1/openapi.json"
JSON_REPORT = "report.json"
EVENTS_REPORT = "events.ndjson"
STACK_LOG = "stack.log"


def st_command(document: Path, base_url: str, report_dir: Path, *extra: str) -> list[str]:
    """`st run` with the project's configuration, writing its verdict and its events to `report_dir`."""
    return [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG_PATH),
        "run",
        str(document),
        "--url",
        base_url,
        "--report",
        "json,ndjson",
        "--report-json-path",
        str(report_dir / JSON_REPORT),
        "--report-ndjson-path",
        str(report_dir / EVENTS_REPORT),
        *extra,
    ]


@dataclass(frozen=True)
class CheckTally:
    """How often one check ran on a response, failed, and failed in a way the baseline accepts."""

    runs: int = 0
    failed: int = 0
    accepted: int = 0


@dataclass(frozen=True)
class FuzzSummary:
    operations: int
    test_cases: int
    requests: int
    #: "ST101 Server error" -> distinct failures schemathesis found that the baseline does not accept
    failures: Mapping[str, int]
    accepted: int
    seconds: float
    checks: Mapping[str, CheckTally]

    def render(self) -> str:
        lines = [
            f"{self.operations} operations, {self.test_cases} test cases, {self.requests} requests "
            f"in {self.seconds:.0f} s; new failures: {sum(self.failures.values())}"
            f"{''.join(f', {count} {name}' for name, count in sorted(self.failures.items()))}; "
            f"{self.accepted} known failures accepted by the baseline.",
            "",
            "| check | responses checked | failed | failed, accepted by the baseline |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| {name} | {tally.runs} | {tally.failed} | {tally.accepted} |"
            for name, tally in sorted(self.checks.items())
        ]
        return "\n".join(lines)


def _scenarios(events: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    return (event["ScenarioFinished"]["recorder"] for event in events if "ScenarioFinished" in event)


def count_requests(events: Iterable[Mapping[str, Any]]) -> int:
    """Requests sent, from schemathesis' ndjson events (a stateful test case sends several)."""
    return sum(len(recorder.get("interactions") or {}) for recorder in _scenarios(events))


def baseline_keys(baseline: Mapping[str, Any]) -> frozenset[tuple[str, str, str, str]]:
    """(operation, check, failure, signature) of every entry of a baseline file."""
    return frozenset(
        (entry["operation"], entry["check"], entry["failure"], entry["signature"])
        for entry in baseline["entries"]
    )


def _is_accepted(
    failure: Mapping[str, Any], check: str, status: int | None, accepted: frozenset[Any]
) -> bool:
    """Matched as schemathesis matches: a numeric signature is the response's status."""
    return any(
        (operation, name, kind) == (failure.get("operation"), check, failure.get("type"))
        and (not signature.isdigit() or signature == str(status))
        for operation, name, kind, signature in accepted
    )


def tally_checks(
    events: Iterable[Mapping[str, Any]], accepted: frozenset[tuple[str, str, str, str]]
) -> dict[str, CheckTally]:
    """Per check, from schemathesis' ndjson events: responses checked, failures, accepted failures."""
    tallies: dict[str, CheckTally] = {}
    for recorder in _scenarios(events):
        interactions = recorder.get("interactions") or {}
        for case_id, results in (recorder.get("checks") or {}).items():
            response = (interactions.get(case_id) or {}).get("response") or {}
            for result in results:
                tally = tallies.get(result["name"], CheckTally())
                failed = result["status"] == "failure"
                failure = (result.get("failure_info") or {}).get("failure") or {}
                known = failed and _is_accepted(
                    failure, result["name"], response.get("status_code"), accepted
                )
                tallies[result["name"]] = CheckTally(
                    tally.runs + 1, tally.failed + failed, tally.accepted + known
                )
    return tallies


def summarise(report: Mapping[str, Any], requests: int, checks: Mapping[str, CheckTally]) -> FuzzSummary:
    """The summary of schemathesis' JSON report (`--report json`) and the tallies of its events."""
    baseline = report.get("baseline") or {}
    return FuzzSummary(
        operations=(report.get("operations") or {}).get("tested", 0),
        test_cases=report["test_cases"]["generated"],
        requests=requests,
        failures={f"{group['code']} {group['title']}": group["count"] for group in report["failures"]},
        accepted=baseline.get("known", 0),
        seconds=report.get("running_time") or 0.0,
        checks=checks,
    )


def benchmarks_section(summary: FuzzSummary, report: Mapping[str, Any], today: str) -> Section:
    """BENCHMARKS.md's "Fuzzing" section for this run."""
    markdown = "\n".join(
        [
            "## Fuzzing",
            "",
            "schemathesis against the local stack's own OpenAPI document (`GET /v1/openapi.json`): every",
            "check, the examples, coverage, fuzzing and stateful phases, settings in `schemathesis.toml`.",
            'Accepted deviations are in `fuzz-baseline.json`, each with its reason (README: "Fuzzing").',
            "",
            "- Command: `make fuzz`",
            f"- Date: {today}",
            f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs",
            f"- schemathesis {report.get('schemathesis_version')}, seed {report.get('seed')}",
            "",
            summary.render(),
        ]
    )
    return Section(name="fuzzing", markdown=markdown)


def client_id(admin_output: str) -> str:
    """The tenant's numeric client id, from the admin command line's output."""
    found = _CLIENT_ID.search(admin_output)
    if found is None:
        raise ValueError(f"no client id in the admin command line's output:\n{admin_output}")
    return found.group(1)


def _read_events(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def fuzz(report_dir: Path, state_dir: Path, st_arguments: list[str], *, benchmarks: bool = False) -> int:
    """One run against a fresh stack; schemathesis' exit code."""
    try:
        with running_stack(state_dir) as stack:
            issued = {
                tenant: run_admin(stack, "issue-token", "--tenant", tenant)
                for tenant in (TENANT, PEER_TENANT)
            }
            tokens = {tenant: output.splitlines()[-1] for tenant, output in issued.items()}
            write_dictionaries(provision(stack.base_url, tokens[TENANT]))
            write_wfc_auth(tokens)
            document = download_document(stack.base_url, tokens[TENANT])
            command = st_command(document, stack.base_url, report_dir, *st_arguments)
            environment = {**os.environ, CLIENT_ID_ENVIRONMENT_NAME: client_id(issued[TENANT])}
            print(f"fuzzing {stack.base_url}{SCHEMA_PATH} as {TENANT}, {PEER_TENANT} its peer", flush=True)
            completed = subprocess.run(command, cwd=ROOT, env=environment, check=False)
    finally:
        if (state_dir / STACK_LOG).exists():
            shutil.copyfile(state_dir / STACK_LOG, report_dir / STACK_LOG)
    report_path = report_dir / JSON_REPORT
    if report_path.exists():
        report = json.loads(report_path.read_text(encoding="utf-8"))
        events = _read_events(report_dir / EVENTS_REPORT)
        accepted = baseline_keys(json.loads(BASELINE_PATH.read_text(encoding="utf-8")))
        summary = summarise(report, count_requests(events), tally_checks(events, accepted))
        print(f"\n{summary.render()}\n\nreports and the stack's log: {report_dir}")
        if benchmarks:
            today = datetime.now(UTC).date().isoformat()
            write_section(BENCHMARKS_PATH, benchmarks_section(summary, report, today))
    return completed.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.fuzz", description=__doc__)
    parser.add_argument(
        "--report-dir", type=Path, default=ROOT / ".local" / "fuzz", help="reports and the stack's log"
    )
    parser.add_argument("--benchmarks", action="store_true", help="write the summary to BENCHMARKS.md")
    parser.add_argument("st_arguments", nargs="*", help="more `st run` options, after --")
    arguments = parser.parse_args(argv)
    arguments.report_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fuzz-stack-") as state_dir:
        try:
            return fuzz(
                arguments.report_dir, Path(state_dir), arguments.st_arguments, benchmarks=arguments.benchmarks
            )
        except (StackStartError, AdminCommandError, FixtureError) as error:
            print(f"make fuzz could not prepare its run: {error}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
