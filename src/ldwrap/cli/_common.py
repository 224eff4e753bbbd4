"""What the dry-run and explain commands share: the linker-argument convention and prepare."""

from __future__ import annotations

import os
import sys

import click

from ..link.model import Invocation
from ..link.plan import ShimError, prepare

PASS_ARGS = {"ignore_unknown_options": True, "allow_interspersed_args": False}


def prepare_or_exit(name: str, args: tuple[str, ...]) -> Invocation:
    try:
        return prepare(name, list(args), os.environ, os.getcwd())
    except ShimError as e:
        click.echo(f"ldwrap: {e}", err=True)
        sys.exit(e.status)
