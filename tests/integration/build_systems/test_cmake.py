"""CMake: the installed tree keeps libgreet, with CMake's build rpath on (default), off
(CMAKE_SKIP_BUILD_RPATH, as nixpkgs' setup hook sets), with CMAKE_INSTALL_RPATH_USE_LINK_PATH,
and with CMAKE_INSTALL_RPATH=$ORIGIN/../lib.

CMake passes its build rpath (`<build>:<greet lib>:`) itself and rewrites that string at
install, so only an entry of ldwrap's own that CMake does not recognise survives, and it
must not leave an empty element behind.
"""

from __future__ import annotations

import pytest

from .conftest import Built
from .helpers.checks import check_with_ldwrap, check_without_ldwrap
from .helpers.projects import CMAKE_VARIANTS
from .helpers.run import LINKERS, MODES

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("variant", list(CMAKE_VARIANTS))
def test_cmake_install_keeps_libgreet(built: Built, variant: str, linker: str, mode: str) -> None:
    check_with_ldwrap(built(f"cmake-{variant}", linker, mode, True))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("variant", list(CMAKE_VARIANTS))
def test_cmake_install_without_ldwrap(built: Built, variant: str, mode: str) -> None:
    """The same build (lld) without ldwrap loses libgreet at install, except with
    CMAKE_INSTALL_RPATH_USE_LINK_PATH=ON: then CMake's own install rpath names libgreet's
    directory and the programs start without ldwrap too."""
    inst = built(f"cmake-{variant}", "lld", mode, False)
    check_without_ldwrap(inst, starts_anyway=(variant == "use-link-path"))
