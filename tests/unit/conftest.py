"""What every unit test shares: `ldwrap install` builds its hot-path bundle once per state of
its inputs; and `prog`, an ELF file with a RUNPATH entry that provides nothing (the tests of
`ldwrap fixup` and of its command line).

An install builds the bundle (`bundle.build`: every module of the shim parsed and compiled,
about a fifth of a second) from inputs it reads afresh each time: the package's sources
(their paths, sizes and modification times), the interpreter, and /etc/ld.so.conf (the
snapshot the bundle carries). The unit tests install some fifty times with none of these
changed, so an install in them gets the bytes the first build with the same inputs returned;
a changed input builds again. Where the build itself is the subject, test_bundle.py calls
`bundle.build` directly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import ldwrap
from helpers.elf import build_elf
from ldwrap import launcher
from ldwrap.bundle import ROOT, build
from ldwrap.link.sysdirs import conf_snapshot

_BUILT: dict[tuple[object, ...], bytes] = {}


def _inputs(root: str) -> tuple[object, ...]:
    """Everything bundle.build(root) reads."""
    package = os.path.dirname(os.path.abspath(ldwrap.__file__))
    stamps = []
    for directory, subdirs, files in os.walk(package):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(directory, name))
                stamps.append((directory, name, st.st_mtime_ns, st.st_size))
    return (root, sys.version, tuple(stamps), conf_snapshot())


def _once_per_inputs(build: Callable[..., bytes]) -> Callable[..., bytes]:
    def cached(root: str = ROOT) -> bytes:
        key = _inputs(root)
        if key not in _BUILT:
            _BUILT[key] = build(root)
        return _BUILT[key]

    return cached


@pytest.fixture(autouse=True)
def _bundle_built_once_per_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launcher, "build_bundle", _once_per_inputs(build))


@pytest.fixture
def prog(tmp_path: Path) -> Path:
    """A RUNPATH of /a, which provides libc.so.6 (a GNU ld script: not ELF, so it counts),
    and /gone, which provides nothing."""
    a = tmp_path / "a"
    a.mkdir()
    (a / "libc.so.6").write_text("/* GNU ld script */\n")  # not ELF: counts as provided
    return build_elf(tmp_path / "prog", needed=("libc.so.6",), runpath=f"{a}:{tmp_path}/gone")
