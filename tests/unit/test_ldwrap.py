"""ldwrap/__init__.py: the package's version, the one the console script prints and the
installed metadata carries."""

from __future__ import annotations

from helpers import base_env
from unit.cli.conftest import SYS_PATH, ldwrap


def test_version_is_the_package_version() -> None:
    # The console script, the package and the installed metadata agree (pyproject's version
    # and ldwrap.__version__ are written separately).
    from importlib.metadata import version

    from ldwrap import __version__

    p = ldwrap(["--version"], base_env(PATH=SYS_PATH))
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"ldwrap, version {__version__}\n"
    assert version("ldwrap") == __version__
