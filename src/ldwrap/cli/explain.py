"""`ldwrap explain`: every library directory of a link, and why it gets an rpath or not."""

from __future__ import annotations

import os

import click

from ..link import ownrpath, rpath
from ..link.model import DirDecision
from ..link.report import format_command
from ._common import ARGS_HELP, AS_OPTION, PASS_ARGS, prepare_or_exit

# Said instead of the policy's verdict when the directory is not there at all. Found here, at
# explain time, so that the shim itself pays nothing for it.
NO_SUCH_DIR = "does not exist"


# The project's own install directory is added before the install creates it, the driver's
# directory may not exist where the link runs.
_ADDED = (rpath.ADDED, rpath.COPY, rpath.DRIVER, ownrpath.OWN_ORIGIN, ownrpath.OWN_ABSOLUTE)


def _verdict(d: DirDecision) -> str:
    if d.verdict not in (*_ADDED, rpath.MISSING) and not os.path.isdir(d.path):
        return NO_SUCH_DIR
    return d.verdict


@click.command(
    "explain",
    context_settings=PASS_ARGS,
    help="Say, for every library directory of ARGS, whether it gets an rpath and "
    "why.\n" + ARGS_HELP.format(cmd="explain"),
    short_help="Say, for every library directory of ARGS, whether it gets an rpath.",
)
@AS_OPTION
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def explain(name: str, args: tuple[str, ...]) -> None:
    inv = prepare_or_exit(name, args)
    s = inv.config
    click.echo(f"linker:   {inv.real.path} ({inv.flavour})")
    if s.mode == "nondefault":
        policy = "any directory the loader does not search by itself"
    else:
        policy = ":".join(s.prefixes) + f" ({s.mode})"
    click.echo(f"prefixes: {policy}")
    click.echo(f"rule:     {s.rule_why}")
    for w in s.warnings:
        click.echo(f"warning:  {w}")
    if inv.why_unchanged:
        click.echo(f"note:     {inv.why_unchanged}")
    decisions = inv.plan.decisions if inv.plan else []
    if not decisions:
        click.echo("no library directories")
    for d in decisions:
        mark = "+" if d.verdict in _ADDED else "-"
        libs = f" [{', '.join(d.libraries)}]" if d.libraries else ""
        where = d.given if d.given == d.path else f"{d.given} -> {d.path}"
        via = f" (named by the linker script {d.via})" if d.via else ""
        click.echo(f"{mark} {where}: {_verdict(d)}{libs}{via}")
    # Only what is there: no empty "adds before:" line.
    if inv.added_before:
        click.echo("adds before: " + format_command(inv.added_before))
    if inv.added_after:
        click.echo("adds after:  " + format_command(inv.added_after))
