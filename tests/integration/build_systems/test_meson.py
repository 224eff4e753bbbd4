"""Meson (default settings): Meson passes `-rpath <greet lib>` itself and, at install, removes
every RUNPATH element equal to that value; ldwrap's own copy (`<greet lib>/`) must survive,
and the build directory (it holds `meson-private/`) must never get an rpath."""

from __future__ import annotations

import pytest

from .conftest import Built
from .helpers.checks import check_with_ldwrap, check_without_ldwrap
from .helpers.run import LINKERS, MODES

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("linker", LINKERS)
def test_meson_install_keeps_libgreet(built: Built, linker: str, mode: str) -> None:
    check_with_ldwrap(built("meson", linker, mode, True))


@pytest.mark.parametrize("mode", MODES)
def test_meson_install_without_ldwrap(built: Built, mode: str) -> None:
    check_without_ldwrap(built("meson", "lld", mode, False))
