"""Plain helpers shared by the command-line tests: the installed `ldwrap` command, run as a
user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LDWRAP = str(Path(sys.executable).parent / "ldwrap")


SYS_PATH = "/usr/local/bin:/usr/bin:/bin"


def ldwrap(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LDWRAP, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def dumping_linker(path: Path) -> Path:
    """A stand-in linker that writes "$0" and each argument, one per line, to $DUMP."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('#!/bin/sh\nprintf \'%s\\n\' "$0" "$@" > "$DUMP"\n')
    path.chmod(0o755)
    return path
