"""The linkers first on PATH: whether each is a drop-in, and what a drop-in runs."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..bundle import snapshot_stale, why_stale
from ..launcher import launcher_problem
from ..launchertext import parse
from ..link.linkers import LinkerError, find, is_nix_wrapper, is_shim, search_dirs
from .model import Finding, OnPath

CHECKED_NAMES = ("ld", "ld.lld", "ld.mold")


def bundle_status(launcher: str, env: Mapping[str, str]) -> str:
    """What a link through the launcher makes of its bundle, asked of the launcher itself: a
    dry run of `--version` under LDWRAP_DEBUG, which prints it and runs no linker."""
    from ..probe import ask

    run_env = {**env, "LDWRAP_DEBUG": "1", "LDWRAP_DRY_RUN": "1"}
    got = ask([launcher, "--version"], run_env, timeout=30)
    for line in (got.stderr if got is not None else "").splitlines():
        if line.startswith("ldwrap: bundle: "):
            return line[len("ldwrap: bundle: ") :]
    return "not known: the launcher did not say"


def _bundle_of(launcher: str) -> str | None:
    try:
        with open(launcher, encoding="utf-8", errors="replace") as f:
            return parse(f.read(8192)).bundle
    except OSError:
        return None


def on_path(
    name: str, dirs: list[str], env: Mapping[str, str], linker_ok: bool = True
) -> tuple[OnPath, list[Finding]]:
    entry = OnPath(name, search_dirs(name, dirs, shims=True))
    found: list[Finding] = []
    if entry.path is None:
        entry.note = "not on PATH"
        return entry, found
    if is_shim(entry.path):
        entry.is_ldwrap = True
        problem = launcher_problem(entry.path)
        where = os.path.dirname(entry.path)
        if problem:
            found.append(Finding(True, problem, f"run `ldwrap install {where}` again"))
        else:
            entry.bundle = bundle_status(entry.path, env)
            bundle = _bundle_of(entry.path)
            stale = why_stale(bundle) if bundle else None
            if stale:
                # Links still work, each paying the imports the bundle saves (about 1 ms).
                found.append(
                    Finding(
                        False,
                        f"{stale}: links through {where} import ldwrap the slower way",
                        f"run `ldwrap install {where}` again",
                    )
                )
            elif bundle and (conf := snapshot_stale(bundle)):
                # Links still work; the default mode reads ld.so.conf again (about 0.2 ms).
                found.append(
                    Finding(
                        False,
                        f"{conf}: default-mode links through {where} read it on every link",
                        f"run `ldwrap install {where}` again",
                    )
                )
        try:
            real = find(name, entry.path, env, env.get("LDWRAP_LINKER") or None)
            entry.resolves_to = " ".join((real.path, *real.prefix))
        except LinkerError as e:
            if linker_ok:  # else the one finding about LDWRAP_LINKER says it
                found.append(
                    Finding(
                        True, f"{entry.path}: {e}", "install the real linker or set LDWRAP_LINKER"
                    )
                )
    else:
        entry.resolves_to = os.path.realpath(entry.path)
        if is_nix_wrapper(entry.path):
            entry.note = "nixpkgs' ld-wrapper"
    return entry, found
