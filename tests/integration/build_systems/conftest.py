"""Fixtures for the build-system integration tests (see helpers/checks.py for what a case checks).

- the `integration` marker is registered here (`pytest -m integration` selects these tests,
  `-m "not integration"` leaves them out);
- `greet` (session): libgreet.so.1 installed once per mode, in `<tmp>/opt/greet` (default
  mode) and in a fake store `<tmp>/nix/store/<hash>-greet-1.0` (store mode, NIX_STORE set),
  with libunused.so.1 beside it in a prefix of its own;
- `bs_dropins` (session): ldwrap's drop-ins, written by `ldwrap install`;
- `autotools_generated` (session): the autotools projects after one `autoreconf -fi`;
- `built` (session): builds a case once per (case, linker, mode, with or without ldwrap,
  with or without LDWRAP_SHRINK=1) and hands the same installed tree to every test that
  asks for it.

At the end of a session that ran test_shrink.py, a summary section gives its counts (files
checked, entries ldwrap added and LDWRAP_SHRINK trimmed, fixup against patchelf).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pytest

from ldwrap.launcher import install

from .helpers import projects
from .helpers.case import Build, Installed
from .helpers.greet import Greet, install_greet
from .helpers.run import MODES
from .helpers.shrink import TALLY


class Built(Protocol):
    def __call__(
        self, case: str, linker: str, mode: str, with_ldwrap: bool, shrink: bool = False
    ) -> Installed: ...


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The numbers test_shrink.py gathered, when it ran."""
    lines = TALLY.lines()
    if lines:
        terminalreporter.section("RUNPATH trimming (LDWRAP_SHRINK, fixup --shrink)")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "integration: builds real projects with real build systems (cmake, meson, autotools, "
        "make, setuptools, cargo) and starts what they install",
    )


@pytest.fixture(scope="session")
def bs_dropins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("bs-dropins")
    install(str(d))
    return d


@pytest.fixture(scope="session")
def greet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Greet]:
    return {m: install_greet(tmp_path_factory.mktemp(f"greet-{m}"), m) for m in MODES}


@pytest.fixture(scope="session")
def autotools_generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("autoreconf")
    return (
        projects.autoreconf("autotools", base / "autotools"),
        projects.autoreconf("autotools-consumer", base / "consumer"),
    )


@pytest.fixture(scope="session")
def built(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    greet: dict[str, Greet],
    bs_dropins: Path,
) -> Built:
    cache: dict[tuple[str, str, str, bool, bool], Installed | BaseException] = {}

    def get(
        case: str, linker: str, mode: str, with_ldwrap: bool, shrink: bool = False
    ) -> Installed:
        assert with_ldwrap or not shrink, "LDWRAP_SHRINK means nothing without ldwrap"
        key = (case, linker, mode, with_ldwrap, shrink)
        if key not in cache:
            how = "shrink" if shrink else "with" if with_ldwrap else "without"
            work = tmp_path_factory.mktemp(f"{case}-{linker}-{mode}-{how}")
            b = Build(greet[mode], linker, with_ldwrap, bs_dropins, work, shrink)
            try:
                if case.startswith("cmake-"):
                    cache[key] = projects.build_cmake(b, case.removeprefix("cmake-"))
                elif case == "meson":
                    cache[key] = projects.build_meson(b)
                elif case == "autotools":
                    gen = request.getfixturevalue("autotools_generated")
                    cache[key] = projects.build_autotools(b, *gen)
                elif case == "make":
                    cache[key] = projects.build_make(b)
                elif case == "setuptools":
                    cache[key] = projects.build_pyext(b)
                elif case == "cargo":
                    cache[key] = projects.build_cargo(b)
                else:
                    raise ValueError(case)
            except AssertionError as e:  # a failed build fails every test that uses it
                cache[key] = e
        got = cache[key]
        if isinstance(got, BaseException):
            raise got
        return got

    return get
