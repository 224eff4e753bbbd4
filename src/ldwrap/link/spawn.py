"""The linker as a child process: for links with work left after it (see run.py).

Temporary response files (NIX_ENFORCE_PURITY rewrote an @file; the command was too long for
the kernel) are written before and removed after; the post-link hooks (LDWRAP_SHRINK,
LDWRAP_VERIFY) run when the link succeeded; and the shim ends the way the child ended.
"""

import sys

from . import oslite as os
from .execute import E2BIG, PYTHON_IGNORED, cannot_run

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    import signal
    from collections.abc import Mapping
    from typing import NoReturn

    from .model import Invocation
else:
    import _signal as signal  # the C module: `signal` itself imports enum, 5 ms per link

# Signals a build tool sends to stop a link; while the shim waits for a child it passes them on.
_FORWARDED = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name)
)


def write_spans(inv: "Invocation") -> "tuple[_TempFiles, list[str]]":
    """The command with the @files purity changed written anew (inline where a file cannot
    be written), and the files to remove afterwards."""
    files = _TempFiles(inv.env)
    argv = inv.argv
    if inv.rsp_writeback:
        argv = files.replace_spans(argv, inv.rsp_writeback)
    return files, argv


def finish(inv: "Invocation", argv: "list[str]", files: "_TempFiles") -> "NoReturn":
    """Run the linker as a child, then the post-link hooks, and end like the child."""
    _spawn_and_finish(inv, argv, files, retry=True)


def retry_with_files(inv: "Invocation", argv: "list[str]") -> "NoReturn":
    """exec failed with E2BIG: run the link again as a child with ldwrap's additions moved
    into response files."""
    files = _TempFiles(inv.env)
    _spawn_and_finish(inv, _with_additions_in_files(inv, argv, files), files, False)


class _TempFiles:
    """Temporary response files of one link, in $TMPDIR (else /tmp), removed at the end."""

    def __init__(self, env: "Mapping[str, str]") -> None:
        self.env = env
        self.paths: list[str] = []

    @property
    def dir(self) -> str:
        # $TMPDIR as given, else /tmp: tempfile's own search would write a probe file first.
        tmpdir = self.env.get("TMPDIR") or ""
        return tmpdir if os.path.isdir(tmpdir) else "/tmp"

    def write(self, args: "list[str]") -> str:
        """A new response file holding args; raises OSError."""
        import tempfile  # only the rare links that need a file pay for it

        fd, path = tempfile.mkstemp(prefix="ldwrap-", suffix=".rsp", dir=self.dir)
        self.paths.append(path)
        try:
            os.write_all(fd, response_file_text(args).encode("utf-8", "surrogateescape"))
        finally:
            os.close(fd)
        return path

    def replace_spans(self, argv: "list[str]", spans: "list[tuple[int, int]]") -> "list[str]":
        """argv with each span moved into a file of its own: the caller's @files that purity
        changed. If a file cannot be written, the arguments stay inline: to the linker they
        mean the same, only the command is longer."""
        out = list(argv)
        try:
            for s, e in sorted(spans, reverse=True):
                out[s:e] = ["@" + self.write(argv[s:e])]
        except OSError:
            self.remove()
            return argv
        return out

    def remove(self) -> None:
        for p in self.paths:
            try:
                os.unlink(p)
            except OSError:
                pass
        self.paths = []


def _spawn_and_finish(
    inv: "Invocation", argv: "list[str]", files: "_TempFiles", retry: bool
) -> "NoReturn":
    """Run the linker as a child, then the post-link hooks; remove the temporary files and
    end like the child. retry: on E2BIG, move our additions into files and try once more."""
    try:
        try:
            status = spawn_and_wait(inv.real.path, argv, inv.env)
        except OSError as e:
            if not retry or e.errno != E2BIG or not (inv.added_before or inv.added_after):
                cannot_run(inv.real.path, e)
            argv = _with_additions_in_files(inv, argv, files)
            try:
                status = spawn_and_wait(inv.real.path, argv, inv.env)
            except OSError as e2:
                cannot_run(inv.real.path, e2)
        if status == 0 and inv.shrink_candidates:
            _shrink(inv)
        if status == 0 and inv.config.verify:
            _verify(inv)
    finally:
        files.remove()
    exit_like(status)


def _with_additions_in_files(
    inv: "Invocation", argv: "list[str]", files: "_TempFiles"
) -> "list[str]":
    paths = ["", ""]
    try:
        for i, added in enumerate((inv.added_before, inv.added_after)):
            if added:
                paths[i] = files.write(added)
    except OSError as e:
        files.remove()
        print(
            "ldwrap: argument list too long, and cannot write a response file in "
            f"{files.dir}: {e.strerror}",
            file=sys.stderr,
        )
        sys.exit(126)
    return response_file_argv(inv, (paths[0], paths[1]), argv)


def _shrink(inv: "Invocation") -> None:
    """LDWRAP_SHRINK: remove from the output's RUNPATH the entries ldwrap added
    (inv.shrink_candidates) that provide none of its needed libraries. Never fails the link:
    when the edit is not provably safe, or the output is no dynamic ELF file, it stays as the
    linker wrote it."""
    req = inv.request
    if req is None or req.relocatable:
        return
    from . import shrink, trim  # only links that --as-needed may have left with unused entries

    output = req.output or "a.out"
    vouched = inv.plan.vouched if inv.plan is not None else {}
    known = {e: shrink.sonames(vouched[e]) for e in inv.shrink_candidates if e in vouched}
    result = trim.shrink_output(output, inv.shrink_candidates, known=known)
    if not inv.config.debug:
        return
    if result.status == trim.SHRUNK:
        what = f"removed {', '.join(result.removed)} from {result.tag}"
    elif result.status == trim.UNCHANGED:
        what = "every entry provides a needed library"
    elif result.status == trim.REFUSED:
        what = f"left as it is: {result.reason} (would remove {', '.join(result.removed)})"
    else:
        what = f"nothing to trim: {result.reason}"
    print(f"ldwrap: shrink: {output}: {what}", file=sys.stderr)


def _verify(inv: "Invocation") -> None:
    """LDWRAP_VERIFY: check that the output will find its libraries. For `error`, a problem
    fails the link and removes the output, as a failing linker does, so that make or ninja
    do not take it for up to date."""
    req = inv.request
    if req is None or req.relocatable:
        return
    from ..loader.verify import verify_output  # the one hook that leaves the hot path

    output = req.output or "a.out"

    def note(text: str) -> None:
        print(f"ldwrap: note: {output}: {text}", file=sys.stderr)

    problems = verify_output(output, inv.env, note if inv.config.debug else None)
    level = "error" if inv.config.verify == "error" else "warning"
    for p in problems:
        print(f"ldwrap: {level}: {output}: {p}", file=sys.stderr)
    if problems and level == "error":
        try:
            os.unlink(output)
        except OSError as e:
            print(f"ldwrap: error: cannot remove {output}: {e.strerror}", file=sys.stderr)
        sys.exit(1)


def spawn_and_wait(path: str, argv: "list[str]", env: "Mapping[str, str]") -> int:
    """Run a child to completion; the raw wait status. The shim ignores SIGINT meanwhile so
    the child, which gets it from the terminal too, decides how the link ends; SIGTERM, SIGHUP
    and SIGQUIT sent to the shim alone are passed on to the child."""
    pid = 0

    def forward(sig: int, _frame: object) -> None:
        if pid:
            os.kill(pid, sig)

    old: dict[int, object] = {}
    default = list(PYTHON_IGNORED)
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


def exit_like(status: int) -> "NoReturn":
    """End this process the way the child ended: same exit code, or same signal."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass  # SIGKILL and SIGSTOP: always their default
        os.kill(os.getpid(), sig)
        sys.exit(128 + sig)  # reached only for signals that do not end a process
    _exit_now(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _exit_now(code: int) -> "NoReturn":
    """Exit without the interpreter's tear-down, as the exec'd linker would have: our output
    flushed, nothing else left to do. The tear-down alone costs about 2 ms, more than the
    post-link hooks themselves."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(code)


def response_file_argv(
    inv: "Invocation", paths: "tuple[str, str]", argv: "list[str] | None" = None
) -> "list[str]":
    """argv (inv.argv by default) with the added runs replaced by `@paths[0]` and `@paths[1]`
    (pure).

    The caller's own arguments stay as they were: only ours move, so no tokenizer difference
    between linkers can change the caller's link."""
    start, end = inv.added_span
    nb, na = len(inv.added_before), len(inv.added_after)
    argv = inv.argv if argv is None else argv
    if argv[start : start + nb] != inv.added_before or argv[end - na : end] != inv.added_after:
        raise ValueError("added arguments not where the plan put them")
    before = ["@" + paths[0]] if nb else []
    after = ["@" + paths[1]] if na else []
    return [*argv[:start], *before, *argv[start + nb : end - na], *after, *argv[end:]]


def response_file_text(added: "list[str]") -> str:
    from .rsp import quote  # only links that write a response file pay for it

    return "".join(quote(a) + "\n" for a in added)
