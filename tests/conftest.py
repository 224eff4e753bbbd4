"""Fixtures shared by the whole suite; the plain helpers they use live in tests/helpers/.

- `store` (session): one prefix with `libfoo.so` (+ `libfoo.so.1`), `libbar.so`, a static-only
  `libsta.a`, and an unused `libunused.so`, each in its own store directory (built with gcc:
  only integration tests use it).
- `dropins` (session): a directory written by `ldwrap.launcher.install` (ld, ld.lld, ...).
- `clean_env`: this test's os.environ without the steering variables (in-process tests).
- `recorder` (session): a directory where every linker name is the recording linker (a tiny
  Python program; tests/integration/conftest.py replaces it with the C build; see
  helpers/recorder.py).
- `linker_path` (session): a PATH of placeholder linkers, one under every linker name, for
  tests that only ask where the real linker is (helpers/recorder.py).
- `wrappers` (session): scripts under every linker name that call ldwrap's launcher again.

Nothing here touches the system at import time: every fixture does its work when first used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from helpers import _STEERING, _STEERING_PREFIXES, BuiltStore
from helpers.recorder import build_wrappers, write_placeholders, write_recorder

INTEGRATION = Path(__file__).resolve().parent / "integration"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The fast tier (`-m "not integration"`) deselects every test under tests/integration/,
    which its conftest marks `integration`: it does not even import them (seconds saved; the
    full suite collects them)."""
    if config.getoption("markexpr") == "not integration" and collection_path == INTEGRATION:
        return True
    return None


# In CI the property tests run with a fixed seed: the same examples every run, so a run is
# reproducible; elsewhere each run draws new examples and keeps finding new cases.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# A development tool: LDWRAP_RECORD_PREPARE=FILE records every in-process prepare() call of
# the run (see helpers/prepare_record.py); read here, before any test removes it.
_RECORD_PREPARE = os.environ.get("LDWRAP_RECORD_PREPARE")
if _RECORD_PREPARE:
    from helpers import prepare_record

    prepare_record.install(_RECORD_PREPARE)

    @pytest.fixture(autouse=True)
    def _record_prepare_node(request: pytest.FixtureRequest) -> None:
        prepare_record.set_test(request.node.nodeid)


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> BuiltStore:
    s = BuiltStore(tmp_path_factory.mktemp("prefix"))
    s.shared_lib("foo-1.0", "foo")
    s.shared_lib("bar-2.0", "bar")
    s.static_lib("sta-3.0", "sta")
    s.shared_lib("unused-4.0", "unused")
    s.foo = s.libdir("foo-1.0")
    s.bar = s.libdir("bar-2.0")
    s.sta = s.libdir("sta-3.0")
    s.unused = s.libdir("unused-4.0")
    for d in (s.foo, s.bar, s.sta, s.unused):
        for src in d.glob("*.c"):
            src.unlink()
    return s


@pytest.fixture(scope="session")
def dropins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of ldwrap launchers (ld, ld.bfd, ld.gold, ld.lld, ld.mold, mold)."""
    from ldwrap.launcher import install

    d = tmp_path_factory.mktemp("dropins")
    install(str(d))
    return d


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Remove the steering variables from this test's os.environ (in-process tests)."""
    for k in list(os.environ):
        if k in _STEERING or k.startswith(_STEERING_PREFIXES):
            monkeypatch.delenv(k)
    yield


@pytest.fixture(scope="session")
def recorder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory where every linker name is the recording linker."""
    return write_recorder(tmp_path_factory.mktemp("recorder"))


@pytest.fixture(scope="session")
def linker_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A PATH holding a placeholder under every linker name (ld, ld.bfd, ld.gold, ld.lld, lld,
    ld.mold, mold, aarch64-linux-gnu-ld...): what `prepare` finds as the real linker in tests
    that never run it, so that they need no linker on the machine."""
    return str(write_placeholders(tmp_path_factory.mktemp("linkers")))


@pytest.fixture(scope="session")
def wrappers(tmp_path_factory: pytest.TempPathFactory, dropins: Path) -> Path:
    """Scripts under every linker name that call ldwrap's launcher of the same name again:
    a build tool's own wrapper standing between two shims."""
    return build_wrappers(tmp_path_factory.mktemp("wrappers"), dropins)
