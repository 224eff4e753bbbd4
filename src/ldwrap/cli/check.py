"""``ldwrap check``: predict, without running it, how ld.so resolves a file's libraries."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Optional

import click

from ..loader.report import render_text, render_tree, result_json
from ..loader.resolve import InputError, Options, Resolver


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array (schema in docs).")
@click.option("--tree", is_flag=True, help="Show the dependency tree like libtree.")
@click.option("--all", "show_all", is_flag=True, help="Also show needs met by loaded objects.")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Emulate a system installed under DIR.")
@click.option("--ld-library-path", "llp", default=None, metavar="P",
              help="Use P as LD_LIBRARY_PATH instead of the environment's.")
@click.option("--no-env", is_flag=True, help="Ignore LD_LIBRARY_PATH and LD_PRELOAD.")
@click.option("--secure", is_flag=True, help="Apply set-user-ID (AT_SECURE) rules.")
@click.argument("files", nargs=-1, required=True)
def check(
    as_json: bool, tree: bool, show_all: bool, root: Optional[str], llp: Optional[str],
    no_env: bool, secure: bool, files: tuple[str, ...]
) -> None:
    """Show where each needed library of FILE resolves, and why.

    With --root, FILE is a path inside DIR (a host path below DIR also works).
    Exit status: 0 all resolve, 1 something is missing, 2 bad input.
    """
    env: dict[str, str] = {} if no_env else dict(os.environ)
    if llp is not None:
        env["LD_LIBRARY_PATH"] = llp
    resolver = Resolver(Options(
        ld_library_path=env.get("LD_LIBRARY_PATH"),
        preload=env.get("LD_PRELOAD"),
        secure=secure,
        root=root,
    ))
    out: list[dict[str, Any]] = []
    status = 0
    prefix = os.path.abspath(root) if root else None
    for file in files:
        if prefix and os.path.abspath(file).startswith(prefix + "/"):
            file = os.path.abspath(file)[len(prefix):]  # host path into the root: make it inner
        try:
            result = resolver.load(file)
        except InputError as exc:
            click.echo(f"ldwrap check: error: {exc}", err=True)
            status = 2
            continue
        if not result.ok:
            status = max(status, 1)
        if as_json:
            out.append(result_json(result))
        else:
            click.echo(render_tree(result, show_all) if tree else render_text(result, show_all))
    if as_json:
        json.dump(out, sys.stdout, indent=2)
        sys.stdout.write("\n")
    sys.exit(status)
