"""`ldwrap dry-run`: the command it prints for nixpkgs' flags, and what it does when the real
linker is missing (the argv it prints is compared with what the shim runs in
tests/integration/cli/test_links.py). The real linker is a placeholder: nothing is linked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import base_env

from .conftest import ldwrap


def test_dry_run_linker_not_found(tmp_path: Path) -> None:
    p = ldwrap(["dry-run", "--as", "ld.mold", "--", "-lfoo"], base_env(PATH=str(tmp_path)))
    assert p.returncode == 127
    assert p.stderr.startswith("ldwrap: cannot find the real ld.mold")


def test_cli_dry_run_prints_the_same(tmp_path: Path, linker_path: str) -> None:
    env = {
        "PATH": linker_path,
        "NIX_HARDENING_ENABLE": "relro",
        "NIX_LDFLAGS": "-lm",
        "NIX_STORE": str(tmp_path),
    }
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ldwrap",
            "dry-run",
            "--as",
            "ld.lld",
            "--",
            "-flavor",
            "gnu",
            "m.o",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == f"{linker_path}/ld.lld -flavor gnu -z relro m.o -lm\n"
