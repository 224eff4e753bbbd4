"""Which files ``ldwrap fixup`` must never edit: those in a Nix store.

Nix records a hash of every store path's contents and the store paths each one refers to;
an edit in place (possible as root on a single-user store, where the files are only
read-only by mode) makes ``nix-store --verify-path`` report the path as modified and leaves
its recorded references stale. The one exception is an output of the Nix build running now:
it is not registered until the build ends, and a fixup phase may still change it.

:func:`refusal` is pure; :func:`guard_from_env` reads the environment and resolves symlinks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_STORE = "/nix/store"

__all__ = ["DEFAULT_STORE", "StoreGuard", "guard_from_env", "inside", "path_refusal", "refusal"]


def inside(path: str, directory: str) -> bool:
    """path is directory or below it (whole path components, both absolute and normal)."""
    return path == directory or path.startswith(directory.rstrip("/") + "/")


@dataclass(frozen=True)
class StoreGuard:
    """The store directories and the running build's outputs, each as given and resolved."""

    stores: tuple[str, ...]  # absolute, normalised; the resolved spellings included
    outputs: tuple[str, ...]  # outputs of the build running now, the same way


def refusal(guard: StoreGuard, spellings: Sequence[str]) -> str | None:
    """Why a file or directory must not be edited, or None. spellings: its absolute path as
    given and with symlinks resolved; it is in a store when any spelling is. A path in an
    output of the running build is allowed, but not a store directory itself, nor a
    directory holding one."""
    for store in guard.stores:
        for p in spellings:
            if p == store:
                return f"is the Nix store {store}; store files are never edited"
            if inside(store, p):
                return f"holds the Nix store {store}; store files are never edited"
            if inside(p, store) and not any(inside(p, o) for o in guard.outputs if o != store):
                return f"in the Nix store {store}; store files are never edited"
    return None


def _output_names(env: Mapping[str, str]) -> list[str]:
    """The names of the running build's outputs: `$outputs`, else (structured attributes,
    where `outputs` is no plain variable) the attributes file's, else `out`."""
    names = (env.get("outputs") or "").split()
    if names:
        return names
    attrs = env.get("NIX_ATTRS_JSON_FILE") or os.path.join(env["NIX_BUILD_TOP"], ".attrs.json")
    try:
        with open(attrs, encoding="utf-8") as f:
            outputs = json.load(f).get("outputs")
    except (OSError, ValueError, AttributeError):
        outputs = None
    return list(outputs) if isinstance(outputs, dict) and outputs else ["out"]


def _spellings(path: str) -> list[str]:
    given = os.path.normpath(os.path.abspath(path))
    real = os.path.realpath(path)
    return [given] if real == given else [given, real]


def guard_from_env(env: Mapping[str, str]) -> StoreGuard:
    """The stores: `NIX_STORE` and `NIX_STORE_DIR` when set, and /nix/store. The outputs:
    inside a Nix build (`NIX_BUILD_TOP` set), the directories its output variables name."""
    stores: list[str] = []
    for s in (env.get("NIX_STORE"), env.get("NIX_STORE_DIR"), DEFAULT_STORE):
        if s and s.startswith("/"):
            stores += [p for p in _spellings(s) if p not in stores]
    outputs: list[str] = []
    if env.get("NIX_BUILD_TOP"):
        for name in _output_names(env):
            value = env.get(name)
            if value and value.startswith("/"):
                outputs += [p for p in _spellings(value) if p not in outputs]
    return StoreGuard(tuple(stores), tuple(outputs))


def path_refusal(guard: StoreGuard, path: str) -> str | None:
    """refusal() for a path on this machine, resolving its symlinks."""
    return refusal(guard, _spellings(path))
