"""BENCHMARKS.md section rewriting, timing summaries and the cold-start table (no processes timed)."""

from pathlib import Path

import pytest

from devtools.bench.cold_start import Outcome, Target, render
from devtools.bench.report import HEADER, Section, replace_section, write_section
from devtools.bench.stats import Summary, summarize


def test_summarize_reports_median_and_interpolated_p90_in_milliseconds():
    summary = summarize([0.010, 0.030, 0.020, 0.050, 0.040])

    assert summary.median_ms == pytest.approx(30.0)
    assert summary.p90_ms == pytest.approx(46.0)


def test_summarize_of_even_count_takes_the_mean_of_the_middle_pair():
    assert summarize([0.1, 0.2, 0.3, 0.4]).median_ms == pytest.approx(250.0)


def test_summarize_refuses_no_samples():
    with pytest.raises(ValueError, match="no samples"):
        summarize([])


def test_ratio_is_median_over_baseline_median():
    assert Summary(median_ms=150.0, p90_ms=400.0).ratio_to(Summary(median_ms=100.0, p90_ms=101.0)) == 1.5


def test_a_new_document_gets_the_header_and_the_section():
    document = replace_section("", Section("cold-start", "## Cold start\n"))

    assert document == f"{HEADER}\n<!-- cold-start:begin -->\n## Cold start\n<!-- cold-start:end -->\n"


def test_only_the_named_section_is_rewritten():
    document = (
        "# Benchmarks\n\nintro\n\n"
        "<!-- cold-start:begin -->\nold figures\n<!-- cold-start:end -->\n\n"
        "<!-- pdf:begin -->\npdf figures\n<!-- pdf:end -->\n"
    )

    updated = replace_section(document, Section("cold-start", "new figures"))

    assert updated == document.replace("old figures", "new figures")


def test_a_missing_section_is_appended_after_the_others():
    document = "# Benchmarks\n\n<!-- pdf:begin -->\npdf figures\n<!-- pdf:end -->\n"

    updated = replace_section(document, Section("aws-calls", "calls"))

    assert updated == document + "\n<!-- aws-calls:begin -->\ncalls\n<!-- aws-calls:end -->\n"


def test_an_unterminated_section_is_an_error():
    with pytest.raises(ValueError, match="no matching"):
        replace_section("<!-- cold-start:begin -->\nhalf", Section("cold-start", "x"))


def test_write_section_keeps_the_rest_of_the_file(tmp_path: Path):
    path = tmp_path / "BENCHMARKS.md"
    write_section(path, Section("pdf", "pdf figures"))
    write_section(path, Section("cold-start", "first"))
    write_section(path, Section("cold-start", "second"))

    text = path.read_text(encoding="utf-8")
    assert "pdf figures" in text
    assert "second" in text
    assert "first" not in text


def _outcome(name: str, role: str, seconds: list[float], error: str | None = None) -> Outcome:
    target = Target(name, "app", Path("/nowhere"), {}, role)  # type: ignore[arg-type]
    return Outcome(target, seconds, error)


def test_cold_start_table_marks_a_slow_api_function_as_fail_and_a_broken_one_as_error():
    section = render(
        [
            _outcome("boto3", "baseline", [0.1] * 10),
            _outcome("stack floor", "floor", [0.125] * 10),
            _outcome("AuthorizerFunction", "authorizer", [0.3] * 10),
            _outcome("FastFunction", "api", [0.14] * 10),
            _outcome("SlowFunction", "api", [0.16] * 10),
            _outcome("BrokenFunction", "api", [], error="KeyError: 'TABLE_NAME'"),
        ],
        runs=10,
        python_version="3.13.0",
        boto3_version="1.0.0",
    )

    lines = section.markdown.splitlines()
    assert "| boto3 | 100.0 | 100.0 | 1.00x | 0.80x | baseline | — |" in lines
    assert "| stack floor | 125.0 | 125.0 | 1.25x | 1.00x | stack floor | — |" in lines
    assert "| AuthorizerFunction | 300.0 | 300.0 | 3.00x | 2.40x | reported (authorizer) | — |" in lines
    assert "| FastFunction | 140.0 | 140.0 | 1.40x | 1.12x | ≤ 1.5x | ok |" in lines
    assert "| SlowFunction | 160.0 | 160.0 | 1.60x | 1.28x | ≤ 1.5x | **FAIL** |" in lines
    assert "- Command: `make bench`" in lines
    assert section.failures == ("SlowFunction imports in 1.60x the boto3 time (target ≤ 1.5x)",)
    assert section.errors == ("BrokenFunction does not import: KeyError: 'TABLE_NAME'",)


def test_cold_request_table_gives_each_function_its_ratio_to_the_minimal_handler_and_to_the_floor():
    from devtools.bench import cold_request

    def outcome(name: str, role: str, seconds: float) -> cold_request.Outcome:
        target = Target(name, "app", Path("/nowhere"), {}, role)  # type: ignore[arg-type]
        return cold_request.Outcome(
            target, ("settings/get-settings.json", False), [0.1], [seconds] * 10, {200}
        )

    section = cold_request.render(
        [
            outcome("minimal boto3 handler", "baseline", 0.2),
            outcome("stack floor", "floor", 0.3),
            outcome("SettingsFunction", "api", 0.36),
        ],
        runs=10,
        tracing=False,
    )

    lines = section.markdown.splitlines()
    assert "| minimal boto3 handler | 100.0 | 200.0 | 200.0 | 1.00x | 0.67x | 200, baseline |" in lines
    assert "| stack floor | 100.0 | 300.0 | 300.0 | 1.50x | 1.00x | 200, stack floor |" in lines
    assert "| SettingsFunction | 100.0 | 360.0 | 360.0 | 1.80x | 1.20x | 200, **FAIL** |" in lines
    assert section.failures == ("SettingsFunction's cold request takes 1.80x the minimal handler's (≤ 1.3x)",)


def test_the_bytecode_table_sets_each_cold_request_without_bytecode_against_the_one_with_it():
    from devtools.bench import cold_request

    def outcome(name: str, seconds: float, error: str | None = None) -> cold_request.Outcome:
        target = Target(name, "app", Path("/nowhere"), {}, "api")
        return cold_request.Outcome(
            target, ("settings/get-settings.json", False), [0.1], [seconds] * 10, {200}, error
        )

    cached = [outcome("SettingsFunction", 0.4), outcome("InvoicesFunction", 0.4)]
    compiled = [outcome("SettingsFunction", 1.2), outcome("InvoicesFunction", 0, error="ImportError: x")]

    section = cold_request.render_bytecode(cached, compiled, runs=10)

    lines = section.markdown.splitlines()
    assert "| SettingsFunction | 400.0 | 1200.0 | 3.00x |" in lines
    assert "| InvoicesFunction | — | — | ERROR: ImportError: x |" in lines
    assert section.errors == ("InvoicesFunction cold request without bytecode failed: ImportError: x",)
