"""`ldwrap install`: write the drop-in launchers."""

from __future__ import annotations

import os
import sys

import click

from ..link.linkers import DROP_IN_NAMES


def _only(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    if value is None:
        return DROP_IN_NAMES
    names = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    unknown = [n for n in names if n not in DROP_IN_NAMES]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown drop-in {', '.join(unknown) or '(none given)'}; "
            f"choose from {','.join(DROP_IN_NAMES)}"
        )
    return names


@click.command("install")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace files that are not ldwrap launchers.")
@click.option(
    "--only",
    metavar="NAME,...",
    callback=_only,
    help=f"Write only these drop-ins (of {','.join(DROP_IN_NAMES)}), plain and prefixed.",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="TRIPLE",
    help="Also write TRIPLE-ld, TRIPLE-ld.lld, ... for a target no clang on PATH reports."
    " Repeatable.",
)
def install_cmd(
    directory: str, force: bool, only: tuple[str, ...], targets: tuple[str, ...]
) -> None:
    """Create the drop-ins ld, ld.bfd, ld.gold, ld.lld, ld.mold and mold in DIRECTORY.

    Each also goes under the target prefix of every clang on PATH (`clang -dumpmachine`,
    e.g. x86_64-pc-linux-gnu-ld.lld): clang takes that name from PATH before the plain one
    from its own directory. Nothing is written if any of the files is in the way.
    """
    from ..launcher import InstallError, clang_triples, drop_in_names, install

    found = clang_triples(os.environ)
    try:
        paths = install(directory, force=force, names=drop_in_names(only, found + targets))
    except (InstallError, OSError) as e:
        click.echo(f"ldwrap: {e}", err=True)
        sys.exit(1)
    for p in paths:
        click.echo(p)
    for line in advice(os.path.abspath(directory), only, bool(found)):
        click.echo(f"ldwrap: {line}", err=True)


def advice(directory: str, only: tuple[str, ...], clang_found: bool) -> list[str]:
    """What to do next, exactly: PATH for both compilers, or one flag per command."""
    clang_ld = "ld.lld" if "ld.lld" in only else only[0]
    if clang_found:
        first = f"put {directory} first on PATH: gcc and clang then link through ldwrap"
    else:
        first = (
            f"put {directory} first on PATH: gcc then links through ldwrap "
            "(no clang on PATH, so none of its prefixed names was written)"
        )
    return [first, f"or per command: gcc -B {directory}, clang --ld-path={directory}/{clang_ld}"]
