"""`ldwrap demo`: the problem and the fix, on a built-in example."""

from __future__ import annotations

import sys

import click


@click.command("demo")
@click.option("--keep", is_flag=True, help="Keep the temporary directory.")
def demo_cmd(keep: bool) -> None:
    """Build a library in a store-like prefix and link against it with each linker,
    without and with ldwrap."""
    from ..demo import run_demo

    sys.exit(run_demo(keep=keep))
