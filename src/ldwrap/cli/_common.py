"""What the dry-run and explain commands share: the linker-argument convention and prepare."""

from __future__ import annotations

import os
import re
import sys

import click

from ..link.linkers import NAMES, linker_name
from ..link.model import Invocation
from ..link.plan import ShimError, prepare

PASS_ARGS = {"ignore_unknown_options": True, "allow_interspersed_args": False}

# What ARGS are, for both commands' help (`\b` keeps click from rewrapping the example).
ARGS_HELP = """
ARGS are the linker's arguments, what gcc or clang passes to ld, not a compiler command
line. Put `--` before them:

\b
    ldwrap {cmd} -- -L/opt/x/lib -lfoo -o app main.o

To see what a compiler passes to its linker, run it with -### (`gcc -### main.o -lfoo`);
its -Wl,X options reach the linker as X.
"""

# A compiler driver's name, maybe versioned or target-prefixed: gcc-12, x86_64-linux-gnu-g++.
_DRIVER = re.compile(r"(?:.+-)?(?:gcc|cc|c\+\+|g\+\+|clang|clang\+\+|ccache)(?:-[0-9][0-9.]*)?")


def _check_linker_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if linker_name(os.path.basename(value)) is None:
        names = ", ".join(sorted(NAMES))
        raise click.BadParameter(
            f"{value!r} is not a linker name; use one of {names} "
            "(maybe with a target prefix: aarch64-linux-gnu-ld)"
        )
    return value


AS_OPTION = click.option(
    "--as",
    "name",
    default="ld",
    show_default=True,
    callback=_check_linker_name,
    help="Linker name to act as (ld, ld.lld, ld.mold, ...).",
)


def refuse_compiler_command(args: tuple[str, ...]) -> None:
    """ARGS that start with a compiler (`gcc -o app main.o`): one line of help, exit 2."""
    if not args or not _DRIVER.fullmatch(os.path.basename(args[0])):
        return
    cc = args[0]
    click.echo(
        f"ldwrap: ARGS are the linker's arguments, not a command: drop {cc!r} and pass "
        f"what {cc} passes to ld (see it with `{cc} -### ...`; -Wl,X reaches ld as X)",
        err=True,
    )
    sys.exit(2)


def prepare_or_exit(name: str, args: tuple[str, ...]) -> Invocation:
    refuse_compiler_command(args)
    try:
        return prepare(name, list(args), os.environ, os.getcwd())
    except ShimError as e:
        click.echo(f"ldwrap: {e}", err=True)
        sys.exit(e.status)
