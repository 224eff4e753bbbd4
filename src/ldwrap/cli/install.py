"""`ldwrap install`: write the drop-in launchers."""

from __future__ import annotations

import os
import sys

import click


@click.command("install")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace files that are not ldwrap launchers.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="TRIPLE",
    help="Also write TRIPLE-ld, TRIPLE-ld.lld, ... (clang prefers `x86_64-pc-linux-gnu-ld.lld`"
    " on PATH to its own directory's ld.lld; see `clang -dumpmachine`). Repeatable.",
)
def install_cmd(directory: str, force: bool, targets: tuple[str, ...]) -> None:
    """Create the drop-ins ld, ld.bfd, ld.gold, ld.lld, ld.mold and mold in DIRECTORY."""
    from ..launcher import InstallError, install
    from ..link.linkers import DROP_IN_NAMES

    names = DROP_IN_NAMES + tuple(f"{t}-{n}" for t in targets for n in DROP_IN_NAMES)
    try:
        paths = install(directory, force=force, names=names)
    except (InstallError, OSError) as e:
        click.echo(f"ldwrap: {e}", err=True)
        sys.exit(1)
    for p in paths:
        click.echo(p)
    click.echo(f"put {os.path.abspath(directory)} first on PATH, or pass -B to gcc/clang", err=True)
