"""plan.not_a_link: `mold -run CMD` is no link, and passes through untouched; to the other
linkers `-run` is an argument of an ordinary link. The linkers are stand-ins (shell scripts
and symlinks to them) or placeholders: nothing is run or linked. The real `mold -run` is in
tests/integration/nix/test_parity.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import Store
from ldwrap.link.linkers import CHAIN_VAR
from ldwrap.link.plan import prepare

from ..conftest import Dry


@pytest.fixture
def tree(tmp_path: Path) -> Store:
    return Store(tmp_path)


def _fake(path: Path, target: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if target is None:
        path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(0o755)
    else:
        path.symlink_to(target)
    return path


@pytest.mark.parametrize("run", ["-run", "--run"])
@pytest.mark.parametrize("name", ["mold", "ld.mold", "ld"])
def test_mold_run_passes_through_untouched(
    tree: Store, tmp_path: Path, run: str, name: str
) -> None:
    foo = tree.lib("foo", "libfoo.so")
    sysbin = tmp_path / "sys"
    mold = _fake(sysbin / "mold")
    _fake(sysbin / "ld.mold", "mold")
    _fake(sysbin / "ld", "mold")  # `ld` that is mold: the same rule
    args = [run, "gcc", "-o", "app", "main.c", f"-L{foo}", "-lfoo"]
    env = {
        "PATH": str(sysbin),
        "NIX_STORE": str(tree.root),
        "NIX_SET_BUILD_ID": "1",
        "NIX_HARDENING_ENABLE": "relro",
    }
    inv = prepare(f"/shims/{name}", args, env, str(tmp_path))
    assert inv.argv == [str(sysbin / name), *args]
    assert CHAIN_VAR not in inv.env
    assert inv.env == env
    assert os.path.realpath(inv.argv[0]) == str(mold)


def test_run_is_a_link_argument_for_other_linkers(dry: Dry, tree: Store) -> None:
    # Only mold has a run mode; to lld `-run` is an unknown flag of an ordinary link.
    foo = tree.lib("foo", "libfoo.so")
    got = dry(["-run", "x", f"-L{foo}", "-lfoo"], {})
    assert got[-2:] == ["-rpath", foo]
