"""`ldwrap explain`: every library directory of a link, and why it gets an rpath or not."""

from __future__ import annotations

import click

from ..link.report import format_command
from ._common import PASS_ARGS, prepare_or_exit


@click.command("explain", context_settings=PASS_ARGS)
@click.option("--as", "name", default="ld", show_default=True, help="Linker name to act as.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def explain(name: str, args: tuple[str, ...]) -> None:
    """Say, for every library directory of ARGS, whether it gets an rpath and why."""
    inv = prepare_or_exit(name, args)
    s = inv.config
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
        mark = "+" if d.verdict.startswith("added") else "-"
        libs = f" [{', '.join(d.libraries)}]" if d.libraries else ""
        where = d.given if d.given == d.path else f"{d.given} -> {d.path}"
        click.echo(f"{mark} {where}: {d.verdict}{libs}")
    if inv.added_before or inv.added_after:
        click.echo("adds before: " + format_command(inv.added_before))
        click.echo("adds after:  " + format_command(inv.added_after))
