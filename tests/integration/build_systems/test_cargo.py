"""cargo: a workspace (no crates.io dependencies) whose greet-sys crate finds libgreet with
pkg-config in build.rs; `cargo install --path` into a fresh root. rustc links through cc with
`-Clinker-features=-lld -Clink-arg=-fuse-ld=<linker>`, so cc finds ldwrap's drop-in on PATH."""

from __future__ import annotations

import pytest

from .conftest import Built
from .helpers.checks import check_with_ldwrap, check_without_ldwrap
from .helpers.run import LINKERS, MODES

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("linker", LINKERS)
def test_cargo_install_keeps_libgreet(built: Built, linker: str, mode: str) -> None:
    check_with_ldwrap(built("cargo", linker, mode, True))


@pytest.mark.parametrize("mode", MODES)
def test_cargo_install_without_ldwrap(built: Built, mode: str) -> None:
    check_without_ldwrap(built("cargo", "lld", mode, False))
