"""Run the real linker: the one runner of the shim.

The linker is exec'd (the process becomes it) unless the shim has work left for afterwards:
temporary response files to remove (NIX_ENFORCE_PURITY rewrote an @file; the command was too
long for the kernel) or a post-link hook (LDWRAP_SHRINK when the plan left entries it may trim,
LDWRAP_VERIFY). Then spawn.py runs it as a child, and the shim ends the way the child ended:
same exit status, or same signal; or with status 1 when LDWRAP_VERIFY=error finds a problem.
Only that rarer path loads spawn.py.
"""

from .execute import E2BIG, cannot_run, exec_now

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import NoReturn

    from .model import Invocation


def run(inv: "Invocation") -> "NoReturn":
    """exec the linker, unless the link needs a child process (spawn.py): response files to
    write, or a post-link hook."""
    if not inv.rsp_writeback and not inv.config.verify and not inv.shrink_candidates:
        exec_argv(inv.real.path, inv.argv, inv.env, inv)
    from . import spawn  # only links with work left after the linker pay for it

    files, argv = spawn.write_spans(inv)
    if not files.paths and not inv.config.verify and not inv.shrink_candidates:
        exec_argv(inv.real.path, argv, inv.env, inv)  # no file could be written: inline
    spawn.finish(inv, argv, files)


def exec_argv(
    path: str, argv: "list[str]", env: "Mapping[str, str]", inv: "Invocation | None" = None
) -> "NoReturn":
    """Replace this process by path. With inv, an E2BIG retries with our additions moved to
    a response file."""
    try:
        exec_now(path, argv, env)
    except OSError as e:
        if e.errno == E2BIG and inv is not None and (inv.added_before or inv.added_after):
            from . import spawn

            spawn.retry_with_files(inv, argv)
        cannot_run(path, e)
