"""What ldwrap prints: shell quoting, the command line of a dry run, the NIX_DEBUG report."""

import sys

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from .model import Invocation

_SAFE = frozenset("@%+=:,./-_")


def shell_quote(arg: str) -> str:
    """arg as a POSIX shell word: bare when that is safe, else in single quotes."""
    if arg and all(c.isalnum() or c in _SAFE for c in arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"


def format_command(argv: "list[str]") -> str:
    return " ".join(shell_quote(a) for a in argv)


def print_command(argv: "list[str]") -> None:
    """The command on stderr with its bytes as they are, so the dry run shows exactly what
    runs even for arguments that are not UTF-8."""
    line = f"ldwrap: {format_command(argv)}\n"
    try:
        data = line.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = line.encode("utf-8", "backslashreplace")
    sys.stderr.flush()
    sys.stderr.buffer.write(data)
    sys.stderr.buffer.flush()


def debug_report(inv: "Invocation") -> str:
    """NIX_DEBUG >= 1: nixpkgs' three-part report (extra flags before, original flags, extra
    flags after), one argument a line, shell-quoted."""
    lines = list(inv.purity_notes)
    for title, part in (
        ("extra flags before to", inv.added_before),
        ("original flags to", inv.args_as_run),
        ("extra flags after to", inv.added_after),
    ):
        lines.append(f"{title} {inv.real.path}:")
        lines += ["  " + shell_quote(a) for a in part]
    return "\n".join(lines) + "\n"
