"""Running commands: a checked run whose error says what ran, where, and how it ended."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


class CommandFailed(AssertionError):
    """A command ended with a status other than 0 (an AssertionError, so pytest shows it as
    a failure of the test that needed it)."""


def describe(argv: Sequence[str], cwd: Path | None, p: subprocess.CompletedProcess[str]) -> str:
    return (
        f"{' '.join(argv)}\n  (in {cwd or '.'}) ended with status {p.returncode}\n"
        f"--- stdout (end)\n{p.stdout[-4000:]}\n--- stderr (end)\n{p.stderr[-4000:]}"
    )


def run(
    argv: Sequence[str | Path],
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 600,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv],
        env=None if env is None else dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        input=stdin,
        check=False,
    )


def run_checked(
    argv: Sequence[str | Path],
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    p = run(argv, env, cwd, timeout)
    if p.returncode != 0:
        raise CommandFailed(describe([str(a) for a in argv], cwd, p))
    return p
