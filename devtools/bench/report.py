"""BENCHMARKS.md: each measurement owns the text between its own begin and end markers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HEADER = (
    "# Benchmarks\n\n"
    "Written by `make bench`; each section is rewritten by its own measurement and the rest is kept.\n"
)


@dataclass(frozen=True)
class Section:
    """One measurement's markdown (without markers), its missed targets and what it could not measure."""

    name: str
    markdown: str
    failures: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def replace_section(document: str, section: Section) -> str:
    """`document` with `section` between its markers, appended at the end if it has none yet."""
    begin, end = markers(section.name)
    block = f"{begin}\n{section.markdown.strip()}\n{end}"
    start = document.find(begin)
    if start == -1:
        return f"{document.rstrip()}\n\n{block}\n" if document.strip() else f"{HEADER}\n{block}\n"
    stop = document.find(end, start)
    if stop == -1:
        raise ValueError(f"{begin} has no matching {end}")
    return document[:start] + block + document[stop + len(end) :]


def write_section(path: Path, section: Section) -> None:
    document = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(replace_section(document, section), encoding="utf-8")
