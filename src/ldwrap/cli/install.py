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
    help="Also write TRIPLE-ld, TRIPLE-ld.lld, ... for a target no compiler on PATH reports"
    " (clang --target=TRIPLE). Repeatable.",
)
def install_cmd(
    directory: str, force: bool, only: tuple[str, ...], targets: tuple[str, ...]
) -> None:
    """Create the drop-ins ld, ld.bfd, ld.gold, ld.lld, ld.mold and mold in DIRECTORY.

    Each also goes under the target prefix of every clang on PATH (`clang -dumpmachine`,
    e.g. x86_64-pc-linux-gnu-ld.lld): clang takes that name from PATH before the plain one
    from its own directory. Each cross compiler on PATH (aarch64-linux-gnu-gcc, ...) gets
    its target's prefixed names too, those that can run a real linker for that target:
    ld, ld.bfd and ld.gold where the target's own exist, ld.lld and mold where installed.
    Nothing is written if any of the files is in the way.
    """
    from ..compilers import clang_triples, cross_compilers, servable
    from ..launcher import InstallError, drop_in_names, install

    env = os.environ
    clangs = clang_triples(env)
    cross = cross_compilers(env)
    names = list(drop_in_names(only, clangs))
    missing: dict[str, list[str]] = {}
    for triple in dict.fromkeys([*(t for _, t in cross), *targets]):
        if triple in clangs:
            continue
        ok = servable(triple, only, env)
        names += [f"{triple}-{n}" for n in ok]
        missing[triple] = [n for n in only if n not in ok]
    try:
        paths = install(directory, force=force, names=tuple(dict.fromkeys(names)))
    except (InstallError, OSError) as e:
        click.echo(f"ldwrap: {e}", err=True)
        sys.exit(1)
    for p in paths:
        click.echo(p)
    where = os.path.abspath(directory)
    lines = advice(where, only, bool(clangs), _listed(where, env.get("PATH", ""))[:1] == [True])
    compiler_path = env.get("COMPILER_PATH", "")
    lines += cross_advice(
        where, [p for p, _ in cross], missing, any(_listed(where, compiler_path)), compiler_path
    )
    for line in lines:
        click.echo(f"ldwrap: {line}", err=True)


def _listed(directory: str, value: str) -> list[bool]:
    """For each absolute entry of a PATH-like value: whether it is directory."""
    real = os.path.realpath(directory)
    return [os.path.realpath(e) == real for e in value.split(":") if e.startswith("/")]


def advice(
    directory: str, only: tuple[str, ...], clang_found: bool, first_on_path: bool = False
) -> list[str]:
    """What to do next, exactly: PATH for both compilers, or one flag per command; nothing
    to do when directory is already first on PATH."""
    clang_ld = "ld.lld" if "ld.lld" in only else only[0]
    if first_on_path:
        return [
            f"{directory} is first on PATH: gcc"
            + (" and clang link" if clang_found else " links")
            + " through ldwrap"
        ]
    if clang_found:
        first = f"put {directory} first on PATH: gcc and clang then link through ldwrap"
    else:
        first = (
            f"put {directory} first on PATH: gcc then links through ldwrap "
            "(no clang on PATH, so none of its prefixed names was written)"
        )
    return [first, f"or per command: gcc -B {directory}, clang --ld-path={directory}/{clang_ld}"]


def cross_advice(
    directory: str,
    cross: list[str],
    missing: dict[str, list[str]],
    reached: bool = False,
    compiler_path: str = "",
) -> list[str]:
    """How cross compilers reach the drop-ins (nothing to do when COMPILER_PATH names
    directory; before what it holds otherwise), and the target names nothing could serve."""
    value = f"{directory}:$COMPILER_PATH" if compiler_path else directory
    lines = []
    if cross and reached:
        lines.append(
            f"cross compilers ({', '.join(os.path.basename(c) for c in cross)}) reach "
            f"{directory} through COMPILER_PATH"
        )
    elif cross:
        lines.append(
            f"cross compilers ({', '.join(os.path.basename(c) for c in cross)}) take their "
            f"own ld and ld.gold before PATH: export COMPILER_PATH={value} (every gcc and "
            f"clang looks there first, for every target and -fuse-ld=), or pass -B {directory}"
        )
    for triple, names in missing.items():
        if names:
            lines.append(
                f"not written: {', '.join(f'{triple}-{n}' for n in names)} (no such linker "
                f"for {triple} is installed)"
            )
    return lines
