"""Fixtures of the stack tier: one StackSession per test session (session.py), which builds
each mode, the builds without ldwrap and the cross build the first time a test asks for it.

At the end of the session a summary gives, per build, what was built, what ran, the audit's
counts and the wall time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ldwrap.launcher import install

from .session import StackSession, cache_dir
from .summary import TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY:
        terminalreporter.section("real stack (Debian 12 sources, a prefix per package)")
        for name in sorted(TALLY):
            for line in TALLY[name].lines():
                terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> StackSession:
    work = tmp_path_factory.mktemp("stack")
    cache = cache_dir(work / "cache")
    dropins = work / "dropins"
    dropins.mkdir()
    install(str(dropins))
    return StackSession(cache, work, dropins)


@pytest.fixture(scope="session")
def stack_work(stacks: StackSession) -> Path:
    return stacks.work
