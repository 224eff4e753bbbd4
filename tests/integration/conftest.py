"""Everything under tests/integration/ runs real linkers, compilers, cargo, build systems or
the real loader: marked `integration`, so `pytest -m "not integration"` is the fast tier."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers.recorder import build_recorder

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def recorder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The recording linker built from C with gcc (tests/conftest.py's is a Python script):
    it receives exactly the argv the shim passes, even at the kernel's limit."""
    return build_recorder(tmp_path_factory.mktemp("recorder"))


@pytest.fixture(scope="session")
def triple() -> str:
    """clang's target (`clang -dumpmachine`): the prefix of the linker names it looks for."""
    return subprocess.run(
        ["clang", "-dumpmachine"], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(scope="session")
def with_targets(tmp_path_factory: pytest.TempPathFactory, triple: str) -> Path:
    """Drop-ins as `ldwrap install --target TRIPLE` writes them for clang: ld, ld.lld, ...
    and TRIPLE-ld, TRIPLE-ld.lld, ..."""
    from ldwrap.launcher import install
    from ldwrap.link.linkers import DROP_IN_NAMES

    d = tmp_path_factory.mktemp("dropins-targets")
    install(str(d), names=DROP_IN_NAMES + tuple(f"{triple}-{n}" for n in DROP_IN_NAMES))
    return d
