"""`ldwrap dry-run`: what it does when the real linker is missing (the argv it prints is
compared with what the shim runs in tests/integration/cli/test_links.py)."""

from __future__ import annotations

from pathlib import Path

from helpers import base_env

from .conftest import ldwrap


def test_dry_run_linker_not_found(tmp_path: Path) -> None:
    p = ldwrap(["dry-run", "--as", "ld.mold", "--", "-lfoo"], base_env(PATH=str(tmp_path)))
    assert p.returncode == 127
    assert p.stderr.startswith("ldwrap: cannot find the real ld.mold")
