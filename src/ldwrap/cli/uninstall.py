"""`ldwrap uninstall`: remove the drop-in launchers `ldwrap install` wrote."""

from __future__ import annotations

import sys

import click


@click.command("uninstall")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def uninstall_cmd(directory: str) -> None:
    """Remove ldwrap's launchers from DIRECTORY; other files, even under a linker's name,
    stay (and are listed)."""
    from ..launcher import uninstall

    try:
        removed, left = uninstall(directory)
    except OSError as e:
        click.echo(f"ldwrap: {e}", err=True)
        sys.exit(1)
    for p in removed:
        click.echo(f"removed {p}")
    for p in left:
        click.echo(f"left {p}: not an ldwrap launcher")
    if not removed:
        click.echo(f"ldwrap: no ldwrap launchers in {directory}", err=True)
