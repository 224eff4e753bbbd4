"""``ldwrap fixup --shrink [--dry-run] PATH...``: trim RUNPATH/RPATH entries of files that
are already built (the rules and the exit status are ldwrap.fixup's)."""

from __future__ import annotations

import sys

import click

from ..fixup import fixup


@click.command("fixup")
@click.option(
    "--shrink",
    is_flag=True,
    help="Remove RUNPATH/RPATH entries that provide none of the file's libraries.",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@click.argument("paths", nargs=-1, required=True)
def fixup_cmd(shrink: bool, dry_run: bool, paths: tuple[str, ...]) -> None:
    """Fix the ELF files PATH... (directories are walked; symlinks inside them are not
    followed).

    --shrink removes every absolute RUNPATH/RPATH entry that provides none of the file's
    needed libraries (for RPATH, none of those its libraries need in turn); entries with
    $ORIGIN or other tokens, and relative ones, stay. Files are replaced atomically.
    A path in a Nix store (NIX_STORE, NIX_STORE_DIR, /nix/store; symlinks resolved) is
    refused, except an output of the Nix build running now.
    Exit status: 0 done, 1 some file could not be fixed, 2 bad input (a missing path, a
    path in a Nix store).
    """
    if not shrink:
        raise click.UsageError("say what to fix: --shrink (the only fix so far)")
    sys.exit(fixup(paths, dry_run, sys.stdout, sys.stderr))
