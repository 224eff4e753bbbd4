"""The flags ldwrap adds besides the rpath, for the cases that need the session `store` (real
libraries built with gcc): the full argv from `ldwrap.link.plan.prepare`. The other cases are in
tests/unit/link/test_flags.py, test_nix.py and test_landing.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import BuiltStore
from unit.link.conftest import dry_run
from unit.link.test_nix import X86 as SALT


def dry(tmp_path: Path, args: list[str], env: dict[str, str], name: str = "ld.lld") -> list[str]:
    """The argv the shim would run, without the machine's real linker (checked there)."""
    return dry_run(tmp_path, "/usr/bin:/bin", args, env, name)


@pytest.mark.parametrize(
    "env",
    [{"NIX_DONT_SET_RPATH": "1"}, {f"NIX_DONT_SET_RPATH_{SALT}": "1"}],
    ids=["plain", "suffixed"],
)
def test_dont_set_rpath(tmp_path: Path, store: BuiltStore, env: dict[str, str]) -> None:
    env = {"NIX_STORE": str(store.root), **env}
    assert dry(tmp_path, ["-L", str(store.foo), "-lfoo"], env) == ["-L", str(store.foo), "-lfoo"]


# LD_RUN_PATH: (id, linker, env, caller args (after -L store -lfoo), expected rpath args)
RUN_PATH = [
    ("lld honours it by default", "ld.lld", {}, [], ["-rpath", "/r1", "-rpath", "/r2", "STORE"]),
    ("mold too", "ld.mold", {}, [], ["-rpath", "/r1", "-rpath", "/r2", "STORE"]),
    ("gold too", "ld.gold", {}, [], ["-rpath", "/r1", "-rpath", "/r2", "STORE"]),
    ("switched off for lld", "ld.lld", {"LDWRAP_LD_RUN_PATH": "0"}, [], ["STORE"]),
    (
        "bfd keeps it although ldwrap adds -rpath",
        "ld.bfd",
        {"LDWRAP_LD_RUN_PATH": "0"},
        [],
        ["-rpath", "/r1", "-rpath", "/r2", "STORE"],
    ),
    ("the caller's -rpath switches it off", "ld.lld", {}, ["-rpath", "/c"], ["STORE"]),
    ("the caller's -R switches it off", "ld.bfd", {}, ["-R", "/c"], ["STORE"]),
]


@pytest.mark.parametrize(
    ("name", "env", "extra", "want"), [c[1:] for c in RUN_PATH], ids=[c[0] for c in RUN_PATH]
)
def test_ld_run_path(
    tmp_path: Path,
    store: BuiltStore,
    name: str,
    env: dict[str, str],
    extra: list[str],
    want: list[str],
) -> None:
    full = {"NIX_STORE": str(store.root), "LD_RUN_PATH": "/r1::/r2:", **env}
    base = ["-L", str(store.foo), "-lfoo", *extra]
    rp = [a for w in want for a in (["-rpath", str(store.foo)] if w == "STORE" else [w])]
    assert dry(tmp_path, base, full, name) == base + rp


def test_ld_run_path_not_repeated(tmp_path: Path, store: BuiltStore) -> None:
    env = {"NIX_STORE": str(store.root), "LD_RUN_PATH": str(store.foo)}
    args = ["-L", str(store.foo), "-lfoo"]
    assert dry(tmp_path, args, env) == [*args, "-rpath", str(store.foo)]
