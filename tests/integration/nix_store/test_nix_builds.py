"""Real Nix builds through ldwrap's drop-ins: derivations linked with GNU ld, gold, lld and mold
start, Nix finds the library they need among their references (through the RUNPATH ldwrap
wrote), garbage collection keeps it, and LDWRAP_SHRINK keeps a needless library out of the
closure. The same build without ldwrap links but does not start.

The store, the derivations and the drop-ins are described in conftest.py. The library is
called libnixgreet: no copy of it exists outside the store, so a program that starts found
it through its RUNPATH.
"""

from __future__ import annotations

import pytest

from helpers import read_needed, read_runpath, which_linker

from .store import NixStore

LINKERS = ["bfd", "gold", "lld", "mold"]


def runs(store: NixStore, app: str) -> tuple[int, str, str]:
    """Start app/bin/app without LD_LIBRARY_PATH, where /nix is the test store."""
    p = store.run([f"{app}/bin/app"], env={"PATH": "/usr/bin:/bin"})
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("linker", LINKERS)
def test_a_derivation_linked_through_the_dropins_starts(nix_store: NixStore, linker: str) -> None:
    app = nix_store.build(f"app-{linker}")
    greet = nix_store.build("nixgreet")
    binary = nix_store.physical(f"{app}/bin/app")
    assert which_linker(binary) == linker
    assert read_runpath(binary) == [f"{greet}/lib"]
    assert runs(nix_store, app) == (0, "greet 42\n", "")


@pytest.mark.parametrize("linker", LINKERS)
def test_nix_finds_the_library_among_the_references(nix_store: NixStore, linker: str) -> None:
    app = nix_store.build(f"app-{linker}")
    assert nix_store.references(app) == [nix_store.build("nixgreet")]


def test_the_build_ran_as_a_build_user_with_nix_store_set(nix_store: NixStore) -> None:
    info = nix_store.physical(nix_store.build("app-lld") + "/share/build-info").read_text()
    user, store = info.splitlines()
    assert user.startswith("user=nixbld"), info
    assert store == "NIX_STORE=/nix/store"


def test_without_ldwrap_the_same_build_does_not_start(nix_store: NixStore) -> None:
    app = nix_store.build("app-plain")
    assert read_runpath(nix_store.physical(f"{app}/bin/app")) is None
    # Nix sees no dependency either: nothing would keep the library.
    assert nix_store.references(app) == []
    code, out, err = runs(nix_store, app)
    assert (code, out) == (127, "")
    assert "libnixgreet.so: cannot open shared object file" in err


def test_a_needless_library_is_a_reference_without_the_trim(nix_store: NixStore) -> None:
    app = nix_store.build("app-noshrink")
    greet, unused = nix_store.build("nixgreet"), nix_store.build("nixunused")
    binary = nix_store.physical(f"{app}/bin/app")
    assert "libnixunused.so" not in read_needed(binary)  # --as-needed dropped it
    assert read_runpath(binary) == [f"{greet}/lib", f"{unused}/lib"]
    assert nix_store.references(app) == sorted([greet, unused])


def test_with_ldwrap_shrink_a_needless_library_is_no_reference(nix_store: NixStore) -> None:
    app = nix_store.build("app-shrink")
    greet = nix_store.build("nixgreet")
    binary = nix_store.physical(f"{app}/bin/app")
    assert read_needed(binary)[0] == "libnixgreet.so"
    assert "libnixunused.so" not in read_needed(binary)
    assert read_runpath(binary) == [f"{greet}/lib"]
    assert nix_store.references(app) == [greet]
    assert runs(nix_store, app) == (0, "greet 42\n", "")


def test_programs_survive_garbage_collection(nix_store: NixStore) -> None:
    kept = [nix_store.build(f"app-{linker}") for linker in LINKERS]
    shrunk = nix_store.build("app-shrink")
    greet, unused = nix_store.build("nixgreet"), nix_store.build("nixunused")
    noshrink = nix_store.build("app-noshrink")  # the one program that refers to nixunused
    # Only the other programs stay roots; the library lives on through references alone.
    for attr in ("nixgreet", "nixunused", "app-noshrink"):
        nix_store.drop_root(attr)

    nix_store.nix("nix-store", "--gc")

    assert nix_store.physical(greet).is_dir()
    for app in [*kept, shrunk]:
        assert runs(nix_store, app) == (0, "greet 42\n", ""), app
    # What nothing refers to is gone: the needless library went with its only user.
    assert not nix_store.physical(noshrink).exists()
    assert not nix_store.physical(unused).exists()


def test_dropins_whose_python_the_build_users_cannot_reach_fail_the_build(
    nix_store: NixStore,
) -> None:
    p = nix_store.try_build("app-locked")
    assert p.returncode != 0
    assert "collect2: fatal error: execvp: Permission denied" in p.stderr
