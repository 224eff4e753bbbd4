"""Where a cross link's real linker is found when no target-prefixed one is on PATH: the cross
gcc's own directory, `/usr/aarch64-linux-gnu/bin` of Debian's binutils-aarch64-linux-gnu,
where its collect2 looks before PATH. The lookups on PATH are in
tests/unit/link/test_linkers.py."""

from __future__ import annotations

from pathlib import Path

from ldwrap.link.linkers import find, for_target
from ldwrap.link.model import RealLinker

OWN_DIR = "/usr/aarch64-linux-gnu/bin"


def test_the_cross_gccs_own_linker_serves_when_none_is_on_path(tmp_path: Path) -> None:
    # The real binutils-aarch64-linux-gnu; PATH holds nothing.
    env = {"PATH": str(tmp_path)}
    host = RealLinker("/host/ld")
    for name in ("ld", "ld.bfd", "ld.gold"):
        got = for_target(host, name, f"/shim/{name}", "aarch64linux", env, None)
        assert (got.path, got.lead) == (f"{OWN_DIR}/{name}", ())
        prefixed = find(name, f"/shim/aarch64-linux-gnu-{name}", env, None)
        assert prefixed.path == f"{OWN_DIR}/{name}"
