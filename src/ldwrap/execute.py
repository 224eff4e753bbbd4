"""Run the real linker: exec it, or, when the shim must act afterwards, run it as a child
whose exit status or signal the shim then reproduces as its own."""

from __future__ import annotations

import os
import sys

from . import rsp

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    import signal
    from collections.abc import Mapping
    from typing import NoReturn

    from .shim import Invocation
else:
    import _signal as signal  # the C module: `signal` itself imports enum, 5 ms per link

E2BIG = 7
# Python ignores these at start-up, and an ignored signal stays ignored across exec: the linker
# must get the default disposition it would have had without the shim in front of it.
_PYTHON_IGNORED = tuple(
    getattr(signal, name) for name in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, name)
)
# Signals a build tool sends to stop a link; while the shim waits for a child it passes them on.
_FORWARDED = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name)
)


def run(inv: Invocation) -> NoReturn:
    if inv.extras is not None and inv.extras.rsp_spans:
        from .purity import run_with_rewritten_files  # NIX_ENFORCE_PURITY changed an @file

        run_with_rewritten_files(inv)
    if inv.settings.verify:
        _run_and_verify(inv)
    exec_argv(inv.real.path, inv.argv, inv.env, inv)


def exec_argv(
    path: str, argv: list[str], env: Mapping[str, str], inv: Invocation | None = None
) -> NoReturn:
    """Replace this process by path. With inv, an E2BIG retries with our additions moved to
    a response file."""
    for sig in _PYTHON_IGNORED:
        signal.signal(sig, signal.SIG_DFL)
    try:
        os.execve(path, argv, env)
    except OSError as e:
        if e.errno == E2BIG and inv is not None and (inv.added_before or inv.added_after):
            _run_with_response_file(inv)
        _cannot_run(path, e)


def _cannot_run(path: str, e: OSError) -> NoReturn:
    """The shell's convention: 126 found but not runnable, 127 not found."""
    print(f"ldwrap: cannot run {path}: {e.strerror}", file=sys.stderr)
    sys.exit(126 if e.errno in (13, 8, E2BIG) else 127)


def spawn_and_wait(path: str, argv: list[str], env: Mapping[str, str]) -> int:
    """Run a child to completion; the raw wait status. The shim ignores SIGINT meanwhile so
    the child, which gets it from the terminal too, decides how the link ends; SIGTERM, SIGHUP
    and SIGQUIT sent to the shim alone are passed on to the child."""
    pid = 0

    def forward(sig: int, _frame: object) -> None:
        if pid:
            os.kill(pid, sig)

    old: dict[int, object] = {}
    default = list(_PYTHON_IGNORED)
    for sig in (signal.SIGINT, *_FORWARDED):
        prev = signal.getsignal(sig)
        if prev == signal.SIG_IGN:
            continue  # ignored by whoever started us (nohup, `&`): the child inherits that
        old[sig] = signal.signal(sig, signal.SIG_IGN if sig == signal.SIGINT else forward)
        default.append(sig)
    try:
        pid = os.posix_spawn(path, argv, env, setsigdef=default)
        _, status = os.waitpid(pid, 0)  # retried after our handlers by Python (PEP 475)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
    return status


def exit_like(status: int) -> NoReturn:
    """End this process the way the child ended: same exit code, or same signal."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass  # SIGKILL and SIGSTOP: always their default
        os.kill(os.getpid(), sig)
        sys.exit(128 + sig)  # reached only for signals that do not end a process
    sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def response_file_argv(inv: Invocation, paths: tuple[str, str]) -> list[str]:
    """inv.argv with the added runs replaced by `@paths[0]` and `@paths[1]` (pure).

    The caller's own arguments stay as they were: only ours move, so no tokenizer difference
    between linkers can change the caller's link."""
    start, end = inv.added_at
    nb, na = len(inv.added_before), len(inv.added_after)
    argv = inv.argv
    if argv[start : start + nb] != inv.added_before or argv[end - na : end] != inv.added_after:
        raise ValueError("added arguments not where the plan put them")
    before = ["@" + paths[0]] if nb else []
    after = ["@" + paths[1]] if na else []
    return [*argv[:start], *before, *argv[start + nb : end - na], *after, *argv[end:]]


def response_file_text(added: list[str]) -> str:
    return "".join(rsp.quote(a) + "\n" for a in added)


def _run_with_response_file(inv: Invocation) -> NoReturn:
    """Move only our additions into temporary response files, run, and remove them."""
    import tempfile  # only this rare path pays for it

    paths = ["", ""]
    # $TMPDIR as given, else /tmp: tempfile's own search would write a probe file first.
    tmpdir = inv.env.get("TMPDIR") or ""
    if not os.path.isdir(tmpdir):
        tmpdir = "/tmp"
    try:
        try:
            for i, added in enumerate((inv.added_before, inv.added_after)):
                if not added:
                    continue
                fd, paths[i] = tempfile.mkstemp(prefix="ldwrap-", suffix=".rsp", dir=tmpdir)
                with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as f:
                    f.write(response_file_text(added))
        except OSError as e:
            print(
                "ldwrap: argument list too long, and cannot write a response file in "
                f"{tmpdir}: {e.strerror}",
                file=sys.stderr,
            )
            sys.exit(126)
        argv = response_file_argv(inv, (paths[0], paths[1]))
        try:
            status = spawn_and_wait(inv.real.path, argv, inv.env)
        except OSError as e:
            _cannot_run(inv.real.path, e)
    finally:
        for p in paths:
            try:
                if p:
                    os.unlink(p)
            except OSError:
                pass
    exit_like(status)


def _run_and_verify(inv: Invocation) -> NoReturn:
    """LDWRAP_VERIFY: link as a child, then check that the output will find its libraries."""
    try:
        status = spawn_and_wait(inv.real.path, inv.argv, inv.env)
    except OSError as e:
        _cannot_run(inv.real.path, e)
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
