"""Fixtures and plain helpers shared by the doctor tests: stand-in linkers, a drop-in directory
of a test's own (the session's `dropins` serves the tests that only read one), an environment
without rustc or build users, and compilers described by hand."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ldwrap import doctor
from ldwrap.launcher import install


def exe(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def doctor_env(tmp_path: Path, path: str, **extra: str) -> dict[str, str]:
    return {
        "PATH": path,
        "RUSTC": str(tmp_path / "no-rustc"),
        "RUSTUP_HOME": str(tmp_path / "no-rustup"),
        "NIX_STORE": str(tmp_path / "store"),
        "HOME": str(tmp_path),
        # Whether this machine's Nix has build users is not the subject here (see
        # test_permissions.py): as without them.
        "NIX_CONFIG": "build-users-group =",
        **extra,
    }


@pytest.fixture
def linkers(tmp_path: Path) -> Path:
    """Stand-ins for the real linkers (doctor only looks at them)."""
    d = tmp_path / "sys"
    for name in ("ld", "ld.lld", "ld.mold"):
        exe(d / name)
    return d


@pytest.fixture
def own_dropins(tmp_path: Path) -> Path:
    """A drop-in directory of this test's own, for a test that spoils its bundle (the others
    read the session's `dropins`, tests/conftest.py)."""
    d = tmp_path / "dropins"
    install(str(d))
    return d


def compiler(path: str, kind: str, *choices: tuple[str, str]) -> doctor.Compiler:
    cc = doctor.Compiler(path, [os.path.basename(path)], kind, "x86_64-pc-linux-gnu")
    cc.linkers = [doctor.LinkerChoice(c, p) for c, p in choices]
    return cc
