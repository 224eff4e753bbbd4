"""A plain Makefile: libhello.so.1 built in the source tree and linked with `-L. -lhello`;
greet-app finds it after install through its own `$ORIGIN/../lib`."""

from __future__ import annotations

import pytest

from .conftest import Built
from .helpers.checks import check_with_ldwrap, check_without_ldwrap
from .helpers.run import LINKERS, MODES

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("linker", LINKERS)
def test_make_install_keeps_libgreet(built: Built, linker: str, mode: str) -> None:
    check_with_ldwrap(built("make", linker, mode, True))


@pytest.mark.parametrize("mode", MODES)
def test_make_install_without_ldwrap(built: Built, mode: str) -> None:
    check_without_ldwrap(built("make", "lld", mode, False))
