"""`make fuzz`'s driver: the schemathesis command and the run's summary (no stack started)."""

import json
from pathlib import Path

from devtools.fuzz import (
    BASELINE_PATH,
    CONFIG_PATH,
    PEER_TENANT,
    TENANT,
    CheckTally,
    baseline_keys,
    benchmarks_section,
    client_id,
    count_requests,
    st_command,
    summarise,
    tally_checks,
)
from devtools.fuzz_fixtures import Fixtures, write_dictionaries, write_wfc_auth

REPORT = {
    "running_time": 150.2,
    "operations": {"total": 38, "selected": 38, "tested": 38},
    "test_cases": {"generated": 2400},
    "failures": [
        {"code": "ST202", "title": "Schema-valid request rejected", "count": 3, "operations": ["POST /v1/x"]}
    ],
    "baseline": {"known": 12, "new": 3},
}


def test_st_runs_the_fetched_document_against_the_stack_with_the_projects_configuration(tmp_path: Path):
    command = st_command(tmp_path / "openapi.json", "http://127.0.0.1:4000", tmp_path, "--no-color")

    assert command[1:7] == [
        "--config-file",
        str(CONFIG_PATH),
        "run",
        str(tmp_path / "openapi.json"),
        "--url",
        "http://127.0.0.1:4000",
    ]
    assert command[command.index("--report") + 1] == "json,ndjson"
    assert command[command.index("--report-json-path") + 1] == str(tmp_path / "report.json")
    assert command[-1] == "--no-color"


def test_each_tenant_is_a_web_fuzzing_commons_user_with_its_bearer_token(tmp_path: Path):
    write_wfc_auth({"fuzz": "t1", "fuzz-peer": "t2"}, tmp_path / "auth.json")

    assert json.loads((tmp_path / "auth.json").read_text()) == {
        "auth": [
            {"name": "fuzz", "fixedHeaders": [{"name": "Authorization", "value": "Bearer t1"}]},
            {"name": "fuzz-peer", "fixedHeaders": [{"name": "Authorization", "value": "Bearer t2"}]},
        ]
    }


def test_schemathesis_toml_reads_the_users_the_driver_writes_and_makes_them_peers():
    configured = CONFIG_PATH.read_text()

    assert 'path = ".local/fuzz/auth.json"' in configured
    assert f'peers = ["{TENANT}", "{PEER_TENANT}"]' in configured


def test_requests_are_counted_from_each_scenarios_interactions():
    events = [
        {"EngineStarted": {}},
        {"ScenarioFinished": {"recorder": {"interactions": {"a": {}, "b": {}}}}},
        {"ScenarioFinished": {"recorder": {"label": "skipped"}}},
        {"ScenarioFinished": {"recorder": {"interactions": {"c": {}}}}},
    ]

    assert count_requests(events) == 3


def _check(name: str, failed: bool, failure_type: str = "RejectedPositiveData") -> dict:
    failure = {"type": failure_type, "operation": "POST /v1/x"}
    return {"name": name, "status": "failure" if failed else "success", "failure_info": {"failure": failure}}


EVENTS = [
    {
        "ScenarioFinished": {
            "recorder": {
                "interactions": {
                    "a": {"response": {"status_code": 422}},
                    "b": {"response": {"status_code": 400}},
                },
                "checks": {
                    "a": [_check("positive_data_acceptance", True), _check("not_a_server_error", False)],
                    "b": [_check("positive_data_acceptance", True), _check("not_a_server_error", False)],
                },
            }
        }
    }
]
#: accepts POST /v1/x's 422 only
BASELINE = {
    "format_version": 1,
    "entries": [
        {
            "operation": "POST /v1/x",
            "check": "positive_data_acceptance",
            "failure": "RejectedPositiveData",
            "signature": "422",
            "reason": "the invoice's state",
        }
    ],
}


def test_each_check_is_tallied_with_the_failures_the_baseline_accepts():
    tallies = tally_checks(EVENTS, baseline_keys(BASELINE))

    assert tallies == {
        "positive_data_acceptance": CheckTally(runs=2, failed=2, accepted=1),
        "not_a_server_error": CheckTally(runs=2, failed=0, accepted=0),
    }


def test_the_summary_names_new_failures_and_every_checks_tally():
    summary = summarise(REPORT, 2450, tally_checks(EVENTS, baseline_keys(BASELINE)))

    assert (summary.operations, summary.test_cases, summary.requests, summary.accepted) == (
        38,
        2400,
        2450,
        12,
    )
    assert summary.failures == {"ST202 Schema-valid request rejected": 3}
    assert summary.render().startswith(
        "38 operations, 2400 test cases, 2450 requests in 150 s; new failures: 3, 3 ST202 Schema-valid "
        "request rejected; 12 known failures accepted by the baseline."
    )
    assert "| positive_data_acceptance | 2 | 2 | 1 |" in summary.render()
    assert "| not_a_server_error | 2 | 0 | 0 |" in summary.render()


def test_a_clean_run_has_no_new_failures():
    clean = summarise({**REPORT, "failures": [], "baseline": None}, 2400, {})

    assert "new failures: 0; 0 known failures" in clean.render()


def test_the_benchmarks_section_carries_the_command_the_seed_and_the_summary():
    summary = summarise(REPORT, 2450, {})

    section = benchmarks_section(
        summary, {**REPORT, "schemathesis_version": "4.32.5", "seed": 7}, "2026-12-01"
    )

    assert section.name == "fuzzing"
    assert section.markdown.startswith("## Fuzzing")
    for text in (
        "- Command: `make fuzz`",
        "- Date: 2026-12-01",
        "schemathesis 4.32.5, seed 7",
        summary.render(),
    ):
        assert text in section.markdown


def test_the_client_id_is_read_from_the_admin_command_lines_output():
    output = (
        "tenant fuzz: clientId 7, fuzz, EUR\nbearer token for fuzz (scopes: ...), valid 1:00:00\neyJ...\n"
    )

    assert client_id(output) == "7"


def test_fixture_ids_become_one_libfuzzer_dictionary_per_path_parameter(tmp_path: Path):
    fixtures = Fixtures(
        invoice_ids=("draft-1", "sent-2"),
        invoice_numbers=("INV-2026-00001",),
        row_ids=("row-1",),
        transaction_ids=('tx "1"',),
        blob_ids=("blob-1",),
    )

    write_dictionaries(fixtures, tmp_path)

    assert (tmp_path / "invoice-ids.dict").read_text() == '"draft-1"\n"sent-2"\n'
    assert (tmp_path / "transaction-ids.dict").read_text() == '"tx \\"1\\""\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "blob-ids.dict",
        "invoice-ids.dict",
        "invoice-numbers.dict",
        "row-ids.dict",
        "transaction-ids.dict",
    ]


def test_schemathesis_toml_reads_the_dictionaries_the_driver_writes():
    configured = CONFIG_PATH.read_text()

    for name in Fixtures((), (), (), (), ()).dictionaries():
        assert f'from-file = ".local/fuzz/dictionaries/{name}.dict"' in configured


def test_the_baseline_accepts_only_what_a_schema_cannot_express_each_with_a_reason():
    entries = json.loads(BASELINE_PATH.read_text())["entries"]

    assert entries
    for entry in entries:
        assert entry["check"] in ("positive_data_acceptance", "unsupported_method"), entry
        assert len(entry["reason"]) > 40, entry
