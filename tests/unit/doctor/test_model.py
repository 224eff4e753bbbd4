"""RustcInfo: how rustc links, read from the linker command of its probe."""

from __future__ import annotations

import pytest

from ldwrap import doctor

OWN = "/tc/lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld"


@pytest.mark.parametrize(
    ("sysroot", "args", "own", "routed", "first"),
    [
        # Rust >= 1.90's default: its own gcc-ld directory, first.
        ("/tc", [f"-B{OWN}", "-fuse-ld=lld"], True, False, OWN),
        # A route (-Clink-self-contained=-linker, -Clink-arg=-B/r/gcc-ld).
        ("/tc", ["-fuse-ld=lld", "-fuse-ld=lld", "-B/r/gcc-ld"], False, True, "/r/gcc-ld"),
        # The route's -B without -linker: rustc's own comes first and wins.
        ("/tc", [f"-B{OWN}", "-fuse-ld=lld", "-B/r/gcc-ld"], True, False, OWN),
        # A sibling whose name starts like the sysroot is not inside it.
        ("/tc", ["-B/tc2/gcc-ld", "-fuse-ld=lld"], False, True, "/tc2/gcc-ld"),
        # The sysroot unknown: as before, a gcc-ld directory is rustc's own.
        (None, ["-B/r/gcc-ld", "-fuse-ld=lld"], True, False, "/r/gcc-ld"),
        # A later -fuse-ld=mold wins: neither.
        ("/tc", [f"-B{OWN}", "-fuse-ld=lld", "-fuse-ld=mold"], False, False, OWN),
    ],
)
def test_own_lld_or_route(
    sysroot: str | None, args: list[str], own: bool, routed: bool, first: str
) -> None:
    rc = doctor.RustcInfo("rustc", "rustc 1.95.0", sysroot)
    rc.linker_args = ["cc", *args, "main.o"]
    assert (rc.own_lld, rc.routed, rc.gcc_ld_dir) == (own, routed, first)
