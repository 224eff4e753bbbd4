"""`ldwrap dry-run`: print the command the shim would run."""

from __future__ import annotations

import json
import sys

import click

from ..link.report import format_command
from ._common import ARGS_HELP, AS_OPTION, PASS_ARGS, prepare_or_exit


@click.command(
    "dry-run",
    context_settings=PASS_ARGS,
    help="Print the command the shim would run for ARGS; link nothing.\n"
    + ARGS_HELP.format(cmd="dry-run"),
    short_help="Print the command the shim would run for ARGS; link nothing.",
)
@AS_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def dry_run(name: str, as_json: bool, args: tuple[str, ...]) -> None:
    inv = prepare_or_exit(name, args)
    for w in inv.warnings:
        click.echo(f"ldwrap: warning: {w}", err=True)
    if as_json:
        click.echo(json.dumps(inv.as_dict(), indent=2))
    else:
        # Raw bytes: arguments that are not UTF-8 must print as the shim would pass them.
        line = format_command(inv.argv) + "\n"
        sys.stdout.flush()
        sys.stdout.buffer.write(line.encode("utf-8", "surrogateescape"))
        sys.stdout.buffer.flush()
