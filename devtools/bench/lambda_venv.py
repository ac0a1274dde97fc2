"""`.venv-lambda`: Python 3.13 with only the shared layer's requirements, as a function sees on Lambda.

The dev virtualenv also holds aws-sam-cli, moto, pyOpenSSL, awscrt and more, some of which boto3 and
botocore pick up at import; measuring there would time a different program than the one deployed.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from devtools.template import ROOT

VENV_DIR = ROOT / ".venv-lambda"
REQUIREMENTS = ROOT / "layers" / "shared" / "requirements.txt"
STAMP = VENV_DIR / ".requirements.sha256"


def _fingerprint() -> str:
    """Changes when the requirements or the interpreter the venv is based on change."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_lambda_venv() -> Path:
    """Create or refresh `.venv-lambda` and return its interpreter."""
    if sys.version_info[:2] != (3, 13):
        raise SystemExit(f"run the benchmarks with Python 3.13, the Lambda runtime (this is {sys.version})")
    python = VENV_DIR / "bin" / "python"
    fingerprint = _fingerprint()
    if python.exists() and STAMP.exists() and STAMP.read_text(encoding="utf-8") == fingerprint:
        return python
    print(f"installing {REQUIREMENTS.relative_to(ROOT)} into {VENV_DIR.name} ...", flush=True)
    shutil.rmtree(VENV_DIR, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV_DIR)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True)
    STAMP.write_text(fingerprint, encoding="utf-8")
    return python
