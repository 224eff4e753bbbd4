"""autoconf + automake + libtool: two libtool libraries (libhello is relinked by `make
install` against the installed libgreetbase: the relink goes through the linker, and ldwrap,
again), two programs, and a second project whose program links the installed libhello.la.
libtool's `.libs` directories and the configured trees (they hold `config.status`) must never
get an rpath; libtool's own `-rpath <prefix>/lib` stays."""

from __future__ import annotations

import pytest

from .conftest import Built
from .helpers.checks import check_with_ldwrap, check_without_ldwrap
from .helpers.run import LINKERS, MODES

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("linker", LINKERS)
def test_libtool_install_keeps_libgreet(built: Built, linker: str, mode: str) -> None:
    check_with_ldwrap(built("autotools", linker, mode, True))


@pytest.mark.parametrize("mode", MODES)
def test_libtool_install_without_ldwrap(built: Built, mode: str) -> None:
    check_without_ldwrap(built("autotools", "lld", mode, False))
