"""Helpers shared by the reliability tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers import base_env

# The environment without what steers ldwrap, gcc or the loader: the suite-wide helper.
clean_env = base_env


def read_record(path: Path) -> list[bytes]:
    """The argv[1..] the recording linker saw."""
    data = path.read_bytes()
    assert data == b"" or data.endswith(b"\0"), data[-20:]
    return data.split(b"\0")[:-1]


def fsencode_all(args: list[str]) -> list[bytes]:
    return [os.fsencode(a) for a in args]


def run(
    argv: list[str | bytes | Path],
    env: dict[str, str] | dict[bytes, bytes],
    cwd: Path,
    timeout: float = 60,
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, timeout=timeout, check=False)
