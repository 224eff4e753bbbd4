"""A setuptools C extension calling libgreet (found with pkg-config, no runtime_library_dirs),
installed with `pip install --no-build-isolation --no-index --target`, then imported from
there (the interpreter dlopens it). The interpreter's own link flags may carry an rpath of
their own (pyenv: `-Wl,-rpath,<prefix>/lib`); that one is the build system's and stays."""

from __future__ import annotations

import pytest

from .conftest import Built
from .helpers.checks import check_with_ldwrap, check_without_ldwrap
from .helpers.run import LINKERS, MODES

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("linker", LINKERS)
def test_pip_installed_extension_keeps_libgreet(built: Built, linker: str, mode: str) -> None:
    check_with_ldwrap(built("setuptools", linker, mode, True))


@pytest.mark.parametrize("mode", MODES)
def test_pip_installed_extension_without_ldwrap(built: Built, mode: str) -> None:
    check_without_ldwrap(built("setuptools", "lld", mode, False))
