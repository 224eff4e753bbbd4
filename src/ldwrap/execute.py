"""Run the real linker: exec it, or, when the shim must act afterwards, run it as a child
whose exit status or signal the shim then reproduces as its own."""

from __future__ import annotations

import os
import signal
import sys
import tempfile

from . import rsp

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from typing import NoReturn

    from .shim import Invocation


def run(inv: Invocation) -> NoReturn:
    if inv.settings.verify:
        _run_and_verify(inv)
    try:
        os.execve(inv.real.path, inv.argv, inv.env)
    except OSError as e:
        if e.errno == 7:  # E2BIG: our additions pushed argv over the kernel's limit
            _run_with_response_file(inv)
        print(f"ldwrap: cannot run {inv.real.path}: {e.strerror}", file=sys.stderr)
        sys.exit(126 if e.errno in (13, 8) else 127)


def spawn_and_wait(path: str, argv: list[str], env: dict[str, str]) -> int:
    """Run a child to completion; the raw wait status. The shim ignores SIGINT meanwhile so
    the child, which gets it from the terminal too, decides how the link ends."""
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pid = os.posix_spawn(path, argv, env)
        _, status = os.waitpid(pid, 0)
    finally:
        signal.signal(signal.SIGINT, old)
    return status


def exit_like(status: int) -> NoReturn:
    """End this process the way the child ended: same exit code, or same signal."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        sys.exit(128 + sig)  # reached only for signals that do not end a process
    sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode")
             else os.WEXITSTATUS(status))


def _run_with_response_file(inv: Invocation) -> NoReturn:
    """Move only our additions into a temporary response file, run, and remove it."""
    paths: list[str] = []
    argv = list(inv.argv)
    try:
        for added in (inv.added_before, inv.added_after):
            if not added:
                continue
            fd, path = tempfile.mkstemp(prefix="ldwrap-", suffix=".rsp")
            paths.append(path)
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write("\n".join(rsp.quote(a) for a in added) + "\n")
            start = _find_run(argv, added)
            argv[start : start + len(added)] = ["@" + path]
        status = spawn_and_wait(inv.real.path, argv, inv.env)
    except OSError as e:
        print(f"ldwrap: cannot run {inv.real.path}: {e.strerror}", file=sys.stderr)
        sys.exit(127)
    finally:
        for p in paths:
            try:
                os.unlink(p)
            except OSError:
                pass
    exit_like(status)


def _find_run(argv: list[str], run: list[str]) -> int:
    """Index of the first occurrence of the run of elements `run` in argv (after argv[0])."""
    n = len(run)
    for i in range(1, len(argv) - n + 1):
        if argv[i : i + n] == run:
            return i
    raise ValueError("added arguments not found")


def _run_and_verify(inv: Invocation) -> NoReturn:
    """LDWRAP_VERIFY: link as a child, then check that the output will find its libraries."""
    try:
        status = spawn_and_wait(inv.real.path, inv.argv, inv.env)
    except OSError as e:
        print(f"ldwrap: cannot run {inv.real.path}: {e.strerror}", file=sys.stderr)
        sys.exit(127)
    req = inv.request
    if status != 0 or req is None or req.relocatable:
        exit_like(status)
    from .verify import verify_output

    output = req.output or "a.out"
    problems = verify_output(output, inv.env)
    for p in problems:
        print(f"ldwrap: {inv.settings.verify}: {output}: {p}", file=sys.stderr)
    if problems and inv.settings.verify == "error":
        sys.exit(1)
    exit_like(status)
