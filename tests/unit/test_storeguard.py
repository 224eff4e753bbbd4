"""storeguard.refusal: which paths `ldwrap fixup` leaves alone because they are in a Nix store
(pure: the guard and the path's spellings are given). The command on files is in
tests/unit/test_fixup.py, the real store in tests/integration/nix_store/test_fixup.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ldwrap.storeguard import StoreGuard, guard_from_env, refusal

S = "/nix/store"
STORE = StoreGuard((S,), ())
IN_BUILD = StoreGuard((S,), (f"{S}/aaa-out", f"{S}/bbb-lib"))
IS = f"is the Nix store {S}; store files are never edited"
HOLDS = f"holds the Nix store {S}; store files are never edited"
IN = f"in the Nix store {S}; store files are never edited"


@pytest.mark.parametrize(
    ("guard", "spellings", "expected"),
    [
        (STORE, ["/tmp/app"], None),
        (STORE, [f"{S}/aaa-foo/bin/app"], IN),
        (STORE, [f"{S}/aaa-foo"], IN),
        (STORE, [S], IS),
        (STORE, ["/nix"], HOLDS),
        (STORE, ["/"], HOLDS),
        # Whole components: a sibling directory whose name starts the same is no store.
        (STORE, ["/nix/store2/x"], None),
        (STORE, ["/nix/stor"], None),
        # A `result` symlink: the resolved spelling decides.
        (STORE, ["/home/u/result", f"{S}/aaa-foo"], IN),
        # Inside a build: its own outputs may be changed, nothing else in the store.
        (IN_BUILD, [f"{S}/aaa-out/lib/libx.so"], None),
        (IN_BUILD, [f"{S}/aaa-out"], None),
        (IN_BUILD, [f"{S}/bbb-lib/lib"], None),
        (IN_BUILD, [f"{S}/aaa-outx/lib"], IN),
        (IN_BUILD, [f"{S}/ccc-dep/lib/libdep.so"], IN),
        (IN_BUILD, [S], IS),
        # A file of an output that is a symlink into another store path.
        (IN_BUILD, [f"{S}/aaa-out/lib/libd.so", f"{S}/ccc-dep/lib/libd.so"], IN),
        # An output that is the store itself allows nothing.
        (StoreGuard((S,), (S,)), [f"{S}/ccc-dep"], IN),
    ],
)
def test_refusal(guard: StoreGuard, spellings: list[str], expected: str | None) -> None:
    assert refusal(guard, spellings) == expected


@pytest.mark.parametrize(
    ("env", "stores", "outputs"),
    [
        ({}, [S], []),
        ({"NIX_STORE": "/x/store"}, ["/x/store", S], []),
        ({"NIX_STORE": "/x/store/", "NIX_STORE_DIR": "/y/s"}, ["/x/store", "/y/s", S], []),
        ({"NIX_STORE": "relative"}, [S], []),
        # Outputs count only inside a build.
        ({"out": f"{S}/aaa-out"}, [S], []),
        ({"NIX_BUILD_TOP": "/build", "out": f"{S}/aaa-out"}, [S], [f"{S}/aaa-out"]),
        (
            {"NIX_BUILD_TOP": "/build", "outputs": "out lib", "out": "/s/o", "lib": "/s/l"},
            [S],
            ["/s/o", "/s/l"],
        ),
        ({"NIX_BUILD_TOP": "/build", "outputs": "out dev", "out": "/s/o"}, [S], ["/s/o"]),
        # `outputs` names them: another variable that happens to be set is no output.
        (
            {"NIX_BUILD_TOP": "/build", "outputs": "lib", "out": "/s/o", "lib": "/s/l"},
            [S],
            ["/s/l"],
        ),
    ],
)
def test_guard_from_env(env: dict[str, str], stores: list[str], outputs: list[str]) -> None:
    assert guard_from_env(env) == StoreGuard(tuple(stores), tuple(outputs))


def test_structured_attrs_name_the_outputs(tmp_path: Path) -> None:
    """With structured attributes `outputs` is not a plain variable; the attributes file
    names them."""
    attrs = tmp_path / ".attrs.json"
    attrs.write_text(json.dumps({"outputs": {"out": "/s/o", "bin": "/s/b"}}))
    env = {"NIX_BUILD_TOP": str(tmp_path), "out": "/s/o", "bin": "/s/b", "doc": "/s/d"}
    assert guard_from_env(env).outputs == ("/s/o", "/s/b")
    other = tmp_path / "elsewhere.json"
    other.write_text(json.dumps({"outputs": {"bin": "/s/b"}}))
    assert guard_from_env({**env, "NIX_ATTRS_JSON_FILE": str(other)}).outputs == ("/s/b",)


def test_symlinked_store_is_known_by_both_names(tmp_path: Path) -> None:
    real = tmp_path / "real-store"
    real.mkdir()
    (tmp_path / "store").symlink_to(real)
    guard = guard_from_env({"NIX_STORE": str(tmp_path / "store")})
    assert guard.stores == (str(tmp_path / "store"), str(real), S)
