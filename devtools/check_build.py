"""`python -m devtools.check_build .aws-sam/build`: is the build what Lambda arm64 should run?

Reads the ELF header of every shared library (`*.so`, `*.so.N`) in the layers and functions that the
built template names, counts them per architecture and fails if any is not AArch64, or if the layers
hold no native code for the packages that must have it: pip then fell back to wheels for this machine.
It also fails for a Python module without its bytecode: Lambda's code directories are read-only, so
a module shipped without a `.pyc` is compiled again at every cold start (about 1.1 s of CPU for an API
function, BENCHMARKS.md). The bytecode must be hash-based and unchecked (`make build` compiles it so),
since a deployment package's files all carry the same 1980 date a timestamp `.pyc` would be checked
against, and must match its source.
"""

from __future__ import annotations

import argparse
import importlib.util
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from devtools.template import load_template

ELF_MAGIC = b"\x7fELF"
AARCH64 = 183
MACHINES = {3: "x86", 40: "arm", 62: "x86_64", 183: "aarch64"}
BYTE_ORDERS: dict[int, Literal["little", "big"]] = {1: "little", 2: "big"}  # e_ident[EI_DATA]
#: shared layer: pydantic_core; auth layer: cryptography; PDF layer: Pillow (imported as PIL) for fpdf2
REQUIRED_NATIVE_PACKAGES = ("pydantic_core", "cryptography", "PIL")
CODE_PROPERTIES = {"AWS::Serverless::LayerVersion": "ContentUri", "AWS::Serverless::Function": "CodeUri"}
#: the flags word of a `.pyc` (PEP 552): hash-based, source not checked
UNCHECKED_HASH_FLAGS = 0b01


def elf_machine(header: bytes) -> int | None:
    """`e_machine` of an ELF header (the first 20 bytes suffice), or None if it is not ELF."""
    if len(header) < 20 or header[:4] != ELF_MAGIC or header[5] not in BYTE_ORDERS:
        return None
    return int.from_bytes(header[18:20], BYTE_ORDERS[header[5]])


def architecture(path: Path) -> str:
    """`aarch64`, `x86_64`, ... for an ELF file; `not ELF` otherwise."""
    with path.open("rb") as handle:
        machine = elf_machine(handle.read(20))
    if machine is None:
        return "not ELF"
    return MACHINES.get(machine, f"e_machine {machine}")


def shown(path: Path) -> Path:
    """`path` relative to the working directory when it is below it."""
    resolved = path.resolve()
    return resolved.relative_to(Path.cwd()) if resolved.is_relative_to(Path.cwd()) else resolved


def native_libraries(directory: Path) -> Iterator[Path]:
    """Shared libraries below `directory`: `*.so` and versioned `*.so.N` files."""
    for path in sorted(directory.rglob("*.so*")):
        if path.is_file() and (path.suffix == ".so" or ".so." in path.name):
            yield path


def has_shipped_bytecode(source: Path) -> bool:
    """Whether `source` has this interpreter's unchecked-hash `.pyc`, compiled from this source."""
    compiled = Path(importlib.util.cache_from_source(str(source)))
    if not compiled.is_file():
        return False
    header = compiled.read_bytes()[:16]
    return (
        header[:4] == importlib.util.MAGIC_NUMBER
        and int.from_bytes(header[4:8], "little") == UNCHECKED_HASH_FLAGS
        and header[8:16] == importlib.util.source_hash(source.read_bytes())
    )


def modules_without_bytecode(directory: Path) -> list[Path]:
    return [path for path in sorted(directory.rglob("*.py")) if not has_shipped_bytecode(path)]


@dataclass(frozen=True)
class Artifact:
    """A layer or function directory of the build, the architecture of each of its libraries and its
    Python modules that have no shipped bytecode."""

    logical_id: str
    kind: str
    directory: Path
    libraries: dict[Path, str]
    uncompiled: tuple[Path, ...] = ()


def artifacts(build_dir: Path) -> list[Artifact]:
    """The layers and functions of the built template, layers first."""
    resources = load_template(build_dir / "template.yaml").get("Resources", {})
    found = []
    for resource_type, code_property in CODE_PROPERTIES.items():
        for logical_id, resource in resources.items():
            if resource.get("Type") != resource_type:
                continue
            directory = build_dir / resource["Properties"][code_property]
            libraries = {path: architecture(path) for path in native_libraries(directory)}
            kind = "layer" if resource_type.endswith("LayerVersion") else "function"
            uncompiled = tuple(modules_without_bytecode(directory))
            found.append(Artifact(logical_id, kind, directory, libraries, uncompiled))
    return found


def problems(found: list[Artifact]) -> list[str]:
    """Every library that is not aarch64, every required package without native code in a layer, and
    every artifact with modules that would be compiled at each cold start."""
    messages = [
        f"{shown(path)}: {arch}, not aarch64"
        for artifact in found
        for path, arch in artifact.libraries.items()
        if arch != MACHINES[AARCH64]
    ]
    layers = [artifact for artifact in found if artifact.kind == "layer"]
    if not layers:
        messages.append("the build has no layer")
    layer_parts = {part for layer in layers for path in layer.libraries for part in path.parts}
    messages += [
        f"no native library of {package} in the layer"
        for package in REQUIRED_NATIVE_PACKAGES
        if package not in layer_parts
    ]
    messages += [
        f"{artifact.logical_id}: {len(artifact.uncompiled)} modules without unchecked-hash bytecode, "
        f"such as {shown(artifact.uncompiled[0])}"
        for artifact in found
        if artifact.uncompiled
    ]
    return messages


def describe(counts: Counter[str]) -> str:
    """`aarch64 4, x86_64 1`, or `none`."""
    return ", ".join(f"{arch} {count}" for arch, count in sorted(counts.items())) or "none"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.check_build", description=__doc__)
    parser.add_argument("build_dir", type=Path, nargs="?", default=Path(".aws-sam/build"))
    build_dir = parser.parse_args(argv).build_dir
    if not (build_dir / "template.yaml").is_file():
        print(f"{build_dir} holds no built template.yaml: run `make build` first")
        return 2
    found = artifacts(build_dir)
    total: Counter[str] = Counter()
    for artifact in found:
        counts = Counter(artifact.libraries.values())
        total += counts
        where = f"{artifact.kind} {artifact.logical_id} ({shown(artifact.directory)})"
        print(f"{where}: native libraries: {describe(counts)}")
        if artifact.kind == "layer":
            for path, arch in artifact.libraries.items():
                print(f"  {path.relative_to(artifact.directory)}: {arch}")
    print(f"total: {describe(total)}")
    messages = problems(found)
    for message in messages:
        print(f"FAIL: {message}")
    if not messages:
        print("OK: every native library is aarch64 and every module has its bytecode")
    return 1 if messages else 0


if __name__ == "__main__":
    raise SystemExit(main())
