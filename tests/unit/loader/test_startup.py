"""startup.own_dirs: where a requester's own prefix keeps its libraries (the real system copy
standing in is in tests/integration/loader/test_system_copy.py)."""

from __future__ import annotations

import pytest

from ldwrap.loader.startup import own_dirs

T = "x86_64-linux-gnu"


@pytest.mark.parametrize(
    ("origin", "library", "triplet", "expected"),
    [
        ("/p/bin", False, T, ["/p/lib", "/p/lib64", f"/p/lib/{T}"]),
        ("/p/bin", False, None, ["/p/lib", "/p/lib64"]),
        # A library: its own directory first; ../lib of a lib/ directory is itself.
        ("/p/lib", True, T, ["/p/lib", "/p/lib64", f"/p/lib/{T}"]),
        (f"/p/lib/{T}", True, T, [f"/p/lib/{T}", "/p/lib/lib", "/p/lib/lib64", f"/p/lib/lib/{T}"]),
        ("/p/bin/../libexec", False, None, ["/p/lib", "/p/lib64"]),
        ("/", False, None, ["/lib", "/lib64"]),
    ],
)
def test_own_dirs(origin: str, library: bool, triplet: str | None, expected: list[str]) -> None:
    assert own_dirs(origin, library, triplet) == expected
