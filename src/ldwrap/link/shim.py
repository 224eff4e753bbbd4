"""The shim's entry point: plan the link, report it, run it. Every link runs this.

Imports stay light: the standard library's C-level modules and ldwrap's link/ package only
(no click, no pyelftools, no typing); a test checks it in every prefix mode.
"""

import sys

from . import oslite as os
from .config import dry_run_on
from .linkers import CHAIN_VAR, Chain
from .plan import ShimError, prepare, unchanged
from .run import exec_argv, run

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import NoReturn


def _cwd(env: "Mapping[str, str]") -> str:
    try:
        return os.getcwd()
    except OSError:
        return env.get("PWD", "/")


def _run_unchanged(argv0: str, args: "list[str]", why: str) -> "NoReturn":
    """An internal error must not lose the link: one line, then the link without ldwrap."""
    env = dict(os.environ())
    try:
        path, argv = unchanged(argv0, args, env)
    except Exception as e:
        print(f"ldwrap: internal error ({why}); no linker to fall back on: {e}", file=sys.stderr)
        sys.exit(127)
    print(f"ldwrap: internal error ({why}); running {path} unchanged", file=sys.stderr)
    if dry_run_on(env):
        from .report import print_command

        print_command(argv)
        sys.exit(0)
    env[CHAIN_VAR] = Chain(env.get(CHAIN_VAR, "")).extended(path)
    exec_argv(path, argv, env)


def bundle_status() -> str:
    """What became of the bundle beside the launcher that started this process (its global
    BUNDLE, see launchertext.py): `used`, or why the modules were imported instead."""
    status = getattr(sys.modules.get("__main__"), "BUNDLE", None)
    if status is None:
        return "none: not started by a launcher that `ldwrap install` wrote"
    return status if status == "used" else f"not used: {status}"


def main(argv: "list[str] | None" = None) -> None:
    """Entry point in shim mode: never returns."""
    argv = sys.argv if argv is None else argv
    env = os.environ()
    try:
        inv = prepare(argv[0], argv[1:], env, _cwd(env))
    except ShimError as e:
        print(f"ldwrap: {e}", file=sys.stderr)
        sys.exit(e.status)
    except Exception as e:  # a bug in ldwrap: see _run_unchanged
        _run_unchanged(argv[0], argv[1:], f"{type(e).__name__}: {e}")
    config = inv.config
    for w in inv.warnings:
        print(f"ldwrap: warning: {w}", file=sys.stderr)
    if config.nix_debug >= 1 and inv.extras is not None:
        from .report import debug_report

        sys.stderr.write(debug_report(inv))
    if config.dry_run or config.debug:
        from .report import print_command

        if config.env.get("LDWRAP_DEBUG") == "1":  # ldwrap's own switch, not NIX_DEBUG's
            print(f"ldwrap: bundle: {bundle_status()}", file=sys.stderr)
        print_command(inv.argv)
        if config.dry_run:
            sys.exit(0)
    run(inv)
