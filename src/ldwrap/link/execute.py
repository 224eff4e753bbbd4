"""exec and its failures: what both ways of running the linker (run.py, spawn.py) share."""

import sys

from . import oslite as os

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    import signal
    from collections.abc import Mapping
    from typing import NoReturn
else:
    import _signal as signal  # the C module: `signal` itself imports enum, 5 ms per link

E2BIG = 7
# Python ignores these at start-up, and an ignored signal stays ignored across exec: the linker
# must get the default disposition it would have had without the shim in front of it.
PYTHON_IGNORED = tuple(
    getattr(signal, name) for name in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, name)
)


def exec_now(path: str, argv: "list[str]", env: "Mapping[str, str]") -> "NoReturn":
    """Replace this process by path, with the default disposition of every signal Python
    ignores; returns only by raising OSError."""
    for sig in PYTHON_IGNORED:
        signal.signal(sig, signal.SIG_DFL)
    os.execve(path, argv, env)


def cannot_run(path: str, e: "OSError") -> "NoReturn":
    """The shell's convention: 126 found but not runnable, 127 not found."""
    print(f"ldwrap: cannot run {path}: {e.strerror}", file=sys.stderr)
    sys.exit(126 if e.errno in (13, 8, E2BIG) else 127)
