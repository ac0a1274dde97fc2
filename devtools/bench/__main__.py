"""`python -m devtools.bench [--runs N]`: run every measurement, print it and update BENCHMARKS.md.

A missed target is printed as FAIL and recorded, but only a measurement that could not be made
(a function that does not import, say) makes the exit status non-zero.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from devtools.bench import aws_calls, cold_request, cold_start, jobs, pdf_render, search_costs
from devtools.bench.lambda_venv import ensure_lambda_venv
from devtools.bench.report import Section, write_section
from devtools.template import ROOT, local_deployment

MIN_RUNS = 10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help=f"timed runs per target (at least {MIN_RUNS})")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md", help="markdown file to update")
    args = parser.parse_args(argv)
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}")

    python = ensure_lambda_venv()
    sections: list[Section] = [
        cold_start.run(python, local_deployment(), args.runs),
        *cold_request.run(python, local_deployment(), args.runs),
        aws_calls.run(),
        pdf_render.run(),
        search_costs.run(),
        jobs.run(),
    ]
    for section in sections:
        write_section(args.output, section)
        print(f"\n{section.markdown}\n")
        for failure in section.failures:
            print(f"FAIL: {failure}")
        for error in section.errors:
            print(f"ERROR: {error}")
    print(f"written to {args.output}")
    return 1 if any(section.errors for section in sections) else 0


if __name__ == "__main__":
    raise SystemExit(main())
