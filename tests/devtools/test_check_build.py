"""ELF machine detection and the build check, on tiny synthetic headers and modules."""

import py_compile
from pathlib import Path

import pytest

from devtools.check_build import architecture, elf_machine, main

LAYER_TEMPLATE = """\
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: SharedLayer
  PdfLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: PdfLayer
  AuthLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: AuthLayer
  MeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: MeFunction
      Handler: app.lambda_handler
"""


def elf_header(machine: int, *, big_endian: bool = False, elf_class: int = 2) -> bytes:
    """The first 64 bytes of an ELF shared object: e_ident, e_type = ET_DYN, e_machine."""
    order = "big" if big_endian else "little"
    ident = b"\x7fELF" + bytes([elf_class, 2 if big_endian else 1, 1]) + bytes(9)
    return (ident + (3).to_bytes(2, order) + machine.to_bytes(2, order)).ljust(64, b"\0")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (elf_header(183), 183),
        (elf_header(62), 62),
        (elf_header(183, big_endian=True), 183),
        (elf_header(40, elf_class=1), 40),
        (b"\x7fELF" + bytes(14), None),
        (elf_header(183)[:19], None),
        (b"!<arch>\n" + bytes(56), None),
        (b"", None),
    ],
    ids=["aarch64", "x86_64", "big-endian", "32-bit arm", "bad byte order", "truncated", "archive", "empty"],
)
def test_elf_machine(header: bytes, expected: int | None):
    assert elf_machine(header) == expected


def test_architecture_names_known_and_unknown_machines(tmp_path: Path):
    for name, content in {"a.so": elf_header(183), "b.so": elf_header(62), "c.so": elf_header(243)}.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "d.so").write_text("INPUT(-lfoo)")

    names = [architecture(tmp_path / name) for name in ("a.so", "b.so", "c.so", "d.so")]

    assert names == ["aarch64", "x86_64", "e_machine 243", "not ELF"]


def build(tmp_path: Path, libraries: dict[str, bytes]) -> Path:
    build_dir = tmp_path / "build"
    (build_dir / "MeFunction").mkdir(parents=True)
    (build_dir / "template.yaml").write_text(LAYER_TEMPLATE)
    for relative, content in libraries.items():
        path = build_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return build_dir


AARCH64_LAYER = {
    "SharedLayer/python/pydantic_core/_pydantic_core.cpython-313-aarch64-linux-gnu.so": elf_header(183),
    "AuthLayer/python/cryptography/hazmat/bindings/_rust.abi3.so": elf_header(183),
    "AuthLayer/python/cryptography.libs/libssl.so.3": elf_header(183),
    "PdfLayer/python/PIL/_imaging.cpython-313-aarch64-linux-gnu.so": elf_header(183),
}


def test_an_aarch64_layer_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main([str(build(tmp_path, AARCH64_LAYER))]) == 0
    out = capsys.readouterr().out
    assert "layer SharedLayer" in out
    assert "layer PdfLayer" in out
    assert "total: aarch64 4" in out
    assert "OK" in out


def test_one_x86_64_library_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    libraries = AARCH64_LAYER | {"MeFunction/native.so": elf_header(62)}

    assert main([str(build(tmp_path, libraries))]) == 1
    assert "native.so: x86_64, not aarch64" in capsys.readouterr().out


def test_a_layer_without_native_libraries_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main([str(build(tmp_path, {"SharedLayer/python/boto3/__init__.py": b""}))]) == 1
    out = capsys.readouterr().out
    assert "no native library of pydantic_core in the layer" in out
    assert "no native library of cryptography in the layer" in out
    assert "no native library of PIL in the layer" in out


def module(build_dir: Path, relative: str, mode: py_compile.PycInvalidationMode | None) -> Path:
    """A module of the build, compiled with `mode` (None: shipped without bytecode)."""
    path = build_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("ANSWER = 42\n")
    if mode is not None:
        py_compile.compile(str(path), invalidation_mode=mode, doraise=True)
    return path


def test_modules_with_unchecked_hash_bytecode_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    build_dir = build(tmp_path, AARCH64_LAYER)
    module(build_dir, "MeFunction/app.py", py_compile.PycInvalidationMode.UNCHECKED_HASH)
    module(
        build_dir, "SharedLayer/python/invoicing/__init__.py", py_compile.PycInvalidationMode.UNCHECKED_HASH
    )

    assert main([str(build_dir)]) == 0
    assert "every module has its bytecode" in capsys.readouterr().out


@pytest.mark.parametrize(
    "mode",
    [None, py_compile.PycInvalidationMode.TIMESTAMP, py_compile.PycInvalidationMode.CHECKED_HASH],
    ids=["no bytecode", "timestamp", "checked hash"],
)
def test_a_module_lambda_would_compile_at_each_cold_start_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: py_compile.PycInvalidationMode | None
):
    build_dir = build(tmp_path, AARCH64_LAYER)
    module(build_dir, "MeFunction/app.py", py_compile.PycInvalidationMode.UNCHECKED_HASH)
    module(build_dir, "SharedLayer/python/invoicing/settings.py", mode)

    assert main([str(build_dir)]) == 1
    out = capsys.readouterr().out
    assert "SharedLayer: 1 modules without unchecked-hash bytecode" in out
    assert "invoicing/settings.py" in out


def test_bytecode_of_another_source_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    build_dir = build(tmp_path, AARCH64_LAYER)
    app = module(build_dir, "MeFunction/app.py", py_compile.PycInvalidationMode.UNCHECKED_HASH)
    app.write_text("ANSWER = 43\n")

    assert main([str(build_dir)]) == 1
    assert "MeFunction: 1 modules without unchecked-hash bytecode" in capsys.readouterr().out


def test_a_missing_build_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main([str(tmp_path / "nothing")]) == 2
    assert "make build" in capsys.readouterr().out
