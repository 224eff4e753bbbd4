"""Running commands for a case: the linkers and modes, an environment without steering
variables, the system's PATH, and the fixture projects copied into a fresh directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from helpers import BUILD_STEERING, env_without

# The fixture projects, beside this package.
PROJECTS = Path(__file__).resolve().parents[1] / "projects"

LINKERS = ("bfd", "lld", "mold")
MODES = ("default", "store")


_STEERING_PREFIXES = ("LDWRAP_", "NIX_", "CARGO_TARGET_X86_64")


def clean_env(**extra: str) -> dict[str, str]:
    return env_without(BUILD_STEERING, _STEERING_PREFIXES, **extra)


def system_path() -> str:
    """PATH as the user has it (cargo and rustup's proxies included), no ldwrap."""
    return os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")


def run(
    cmd: Sequence[str | Path], env: dict[str, str], cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    argv = [str(c) for c in cmd]
    p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, (
        f"{' '.join(argv)} (in {cwd}) failed with {p.returncode}\n"
        f"--- stdout\n{p.stdout[-6000:]}\n--- stderr\n{p.stderr[-6000:]}"
    )
    return p


def copy_project(name: str, dest: Path, common: bool = True) -> Path:
    shutil.copytree(PROJECTS / name, dest, symlinks=True)
    if common:  # the shared sources, unless the project has its own version of one
        for f in (PROJECTS / "common").iterdir():
            if not (dest / f.name).exists():
                shutil.copy(f, dest / f.name)
    return dest
