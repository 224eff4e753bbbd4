"""The settings in the environment: the rpath policy they select, and LDWRAP_LINKER."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..link.config import MODE_NIX, MODE_PREFIXES, Config
from ..link.linkers import is_shim, search_path
from .model import Finding


def policy(env: Mapping[str, str]) -> tuple[str, list[Finding]]:
    config = Config.from_env(env)
    found = [Finding(True, f"setting: {w}", "fix or unset the variable") for w in config.warnings]
    if config.mode == MODE_NIX:
        why = "NIX_STORE" if env.get("NIX_STORE") else config.rule_why
        text = f"rpath for library dirs under {':'.join(config.prefixes)} ({why})"
    elif config.mode == MODE_PREFIXES:
        text = f"rpath for library dirs under {':'.join(config.prefixes)} (LDWRAP_RPATH_PREFIXES)"
    else:
        text = f"rpath for any library dir the loader does not search by itself ({config.rule_why})"
    from ..link.nix import machine
    from ..link.nix import read as read_nix

    if config.disable_rpath or read_nix(env, None, machine()).dont_set_rpath:
        found.append(
            Finding(
                True,
                "rpaths are turned off (NIX_DONT_SET_RPATH or LDWRAP_DISABLE)",
                "unset NIX_DONT_SET_RPATH and LDWRAP_DISABLE",
            )
        )
    return text, found


def linker_setting(env: Mapping[str, str]) -> Finding | None:
    """LDWRAP_LINKER, said once: where it points, and that it overrides every -fuse-ld=."""
    value = env.get("LDWRAP_LINKER")
    if not value:
        return None
    path = value if "/" in value else search_path(value, env)
    if path is None or not (os.path.isfile(path) and os.access(path, os.X_OK)):
        where = "no executable file there" if "/" in value else "not on PATH"
        return Finding(
            True,
            f"LDWRAP_LINKER={value} points nowhere ({where}): every drop-in would fail",
            "unset LDWRAP_LINKER, or point it at a linker (e.g. /usr/bin/ld.lld)",
        )
    if is_shim(path):
        return Finding(
            True,
            f"LDWRAP_LINKER={value} is one of ldwrap's own launchers, not a linker",
            "unset LDWRAP_LINKER, or point it at the real linker",
        )
    return Finding(
        False,
        f"LDWRAP_LINKER={value}: every drop-in runs {path}, whatever "
        "-fuse-ld= asked for (ld.mold and a wrapped toolchain's ld.lld too)",
        "unset LDWRAP_LINKER to let -fuse-ld= choose the linker",
    )
