"""Fixtures for the loader tests: a builder of real binaries and a real-loader oracle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import ldwrap  # noqa: F401
except ImportError:  # not installed into the venv yet: use the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "src"))

from helpers.builder import Builder


def _require(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        raise RuntimeError(
            f"{tool} is required by tests/integration/loader: apt-get install {package}"
        )


@pytest.fixture(scope="session", autouse=True)
def _toolchain() -> None:
    _require("gcc", "gcc")
    _require("ldd", "libc-bin")
    probe = subprocess.run(
        ["gcc", "-m32", "-print-file-name=crt1.o"], capture_output=True, text=True, check=False
    )
    if not os.path.isabs(probe.stdout.strip()):
        raise RuntimeError("gcc -m32 cannot link: apt-get install gcc-multilib")


@pytest.fixture
def build(tmp_path: Path) -> Builder:
    return Builder(tmp_path)
