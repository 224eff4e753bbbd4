"""Asking another program a question: run it, read what it prints."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping


def ask(
    argv: list[str], env: Mapping[str, str], timeout: float, cwd: str | None = None
) -> subprocess.CompletedProcess[str] | None:
    """The finished run of argv (its output as text), or None when it cannot be started or
    does not finish in time. A question, not a step: the caller judges the exit status."""
    try:
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            cwd=cwd,
            env=dict(env),
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
