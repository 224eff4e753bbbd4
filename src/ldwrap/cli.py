"""The `ldwrap` command line (click). Never on the shim's hot path."""

from __future__ import annotations

import json
import os
import sys

import click

from . import __version__
from .shim import Invocation, ShimError, format_command, prepare

_PASS = {"ignore_unknown_options": True, "allow_interspersed_args": False}


def _prepare(name: str, args: tuple[str, ...]) -> Invocation:
    try:
        return prepare(name, list(args), os.environ, os.getcwd())
    except ShimError as e:
        click.echo(f"ldwrap: {e}", err=True)
        sys.exit(e.status)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ldwrap")
def cli() -> None:
    """Give lld, mold, gold and GNU ld the rpath behaviour of nixpkgs' ld-wrapper.

    Installed under a linker's name (see `ldwrap install`), ldwrap is that linker: it adds
    `-rpath DIR` for each library directory the link uses, then runs the real linker.
    """


@cli.command("dry-run", context_settings=_PASS)
@click.option("--as", "name", default="ld", show_default=True, help="Linker name to act as.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def dry_run(name: str, as_json: bool, args: tuple[str, ...]) -> None:
    """Print the command the shim would run for ARGS; link nothing."""
    inv = _prepare(name, args)
    for w in inv.settings.warnings:
        click.echo(f"ldwrap: warning: {w}", err=True)
    if as_json:
        click.echo(json.dumps(inv.as_dict(), indent=2))
    else:
        # Raw bytes: arguments that are not UTF-8 must print as the shim would pass them.
        line = format_command(inv.argv) + "\n"
        sys.stdout.flush()
        sys.stdout.buffer.write(line.encode("utf-8", "surrogateescape"))
        sys.stdout.buffer.flush()


@cli.command("explain", context_settings=_PASS)
@click.option("--as", "name", default="ld", show_default=True, help="Linker name to act as.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def explain(name: str, args: tuple[str, ...]) -> None:
    """Say, for every library directory of ARGS, whether it gets an rpath and why."""
    inv = _prepare(name, args)
    s = inv.settings
    click.echo(f"linker:   {inv.real.path} ({inv.flavour})")
    if s.mode == "nondefault":
        policy = "any directory the loader does not search by itself"
    else:
        policy = ":".join(s.prefixes) + f" ({s.mode})"
    click.echo(f"prefixes: {policy}")
    for w in s.warnings:
        click.echo(f"warning:  {w}")
    if inv.note:
        click.echo(f"note:     {inv.note}")
    decisions = inv.plan.decisions if inv.plan else []
    if not decisions:
        click.echo("no library directories")
    for d in decisions:
        mark = "+" if d.verdict == "added" else "-"
        libs = f" [{', '.join(d.libraries)}]" if d.libraries else ""
        where = d.given if d.given == d.path else f"{d.given} -> {d.path}"
        click.echo(f"{mark} {where}: {d.verdict}{libs}")
    if inv.added_before or inv.added_after:
        click.echo("adds before: " + format_command(inv.added_before))
        click.echo("adds after:  " + format_command(inv.added_after))


@cli.command("install")
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
    from .install import InstallError, install
    from .linkers import DROP_IN_NAMES

    names = DROP_IN_NAMES + tuple(f"{t}-{n}" for t in targets for n in DROP_IN_NAMES)
    try:
        paths = install(directory, force=force, names=names)
    except (InstallError, OSError) as e:
        click.echo(f"ldwrap: {e}", err=True)
        sys.exit(1)
    for p in paths:
        click.echo(p)
    click.echo(f"put {os.path.abspath(directory)} first on PATH, or pass -B to gcc/clang", err=True)


@cli.command("demo")
@click.option("--keep", is_flag=True, help="Keep the temporary directory.")
def demo_cmd(keep: bool) -> None:
    """Build a library in a store-like prefix and link against it with each linker,
    without and with ldwrap."""
    from .demo import run_demo

    sys.exit(run_demo(keep=keep))


def _register() -> None:
    """Commands that live in their own modules."""
    from .cli_check import check
    from .cli_rust import doctor, rustup

    for cmd in (check, rustup, doctor):
        cli.add_command(cmd)


_register()


def main() -> None:
    cli(prog_name="ldwrap")
