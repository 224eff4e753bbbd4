"""plan.linker_env: the environment the real linker gets (the real linker prepare finds is a
placeholder, the `linker_path` fixture: nothing is linked)."""

from __future__ import annotations

from pathlib import Path

from ldwrap.link.linkers import CHAIN_VAR
from ldwrap.link.plan import prepare


def test_the_prepared_link_record_does_not_reach_the_linker(
    tmp_path: Path, linker_path: str
) -> None:
    env = {
        "PATH": linker_path,
        "NIX_STORE": str(tmp_path / "nix" / "store"),
        "NIX_WRAPPER_VERSION": "2",
        "NIX_WRAPPER_OPERATION": "link",
        "wrapper_NIX_LINK_TYPE": "dynamic",
        "wrapper_NIX_LDFLAGS": "-lm",
        "KEEP": "1",
    }
    inv = prepare("ld.lld", ["main.o"], env, str(tmp_path))
    assert {k: v for k, v in inv.env.items() if k != CHAIN_VAR} == {
        "PATH": linker_path,
        "NIX_STORE": str(tmp_path / "nix" / "store"),
        "KEEP": "1",
    }
