"""`ldwrap doctor`: why a binary does not start or a link does not go through ldwrap."""

from __future__ import annotations

import os
import sys

import click


@click.command("doctor")
def doctor() -> None:
    """Find out why a binary does not start or a link does not go through ldwrap."""
    from ..doctor import diagnose, render

    report = diagnose(os.environ)
    click.echo(render(report))
    sys.exit(0 if report.ok else 1)
