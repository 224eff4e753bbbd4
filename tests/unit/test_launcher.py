"""A launcher whose interpreter or package is gone says so in one line that names ldwrap (or,
for the shebang form, whose kernel error only `launcher_problem` can explain). The text itself
is tested in test_launchertext.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import base_env
from ldwrap import launchertext
from ldwrap.launcher import launcher_problem
from ldwrap.launchertext import launcher_text
from ldwrap.link.linkers import is_shim


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def run(path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=base_env(PATH="/usr/bin:/bin", **env),
    )


def python_link(tmp_path: Path, name: str) -> str:
    """sys.executable under another path, as a venv's bin/python is."""
    p = tmp_path / name / "python3"
    p.parent.mkdir(parents=True)
    p.symlink_to(sys.executable)
    return str(p)


@pytest.mark.parametrize("where", ["gone", "gone dir", "it's 100%"])
def test_sh_launcher_names_a_missing_interpreter(tmp_path: Path, where: str) -> None:
    py = str(tmp_path / where / "python3")
    ld = write(tmp_path / "bin" / "ld", launcher_text(python=py, shell=True))
    p = run(ld, "-o", "out")
    assert p.returncode == 127
    assert p.stderr == (
        f"ldwrap: {ld}: its Python ({py}) no longer exists; reinstall ldwrap, "
        f"then run `ldwrap install {ld.parent}` again\n"
    )
    assert launcher_problem(str(ld)) == f"{ld} runs {py}, which no longer exists"


def test_shebang_launcher_with_its_interpreter_gone(tmp_path: Path) -> None:
    # The kernel's ENOENT is all the caller sees (gcc: `collect2: fatal error: execvp: No such
    # file or directory`); launcher_problem, used by `ldwrap doctor`, names the cause.
    py = python_link(tmp_path, "venv")
    ld = write(tmp_path / "bin" / "ld", launcher_text(python=py))
    os.unlink(py)
    with pytest.raises(FileNotFoundError):
        run(ld)
    assert launcher_problem(str(ld)) == f"{ld} runs {py}, which no longer exists"


@pytest.mark.parametrize("shell", [False, True])
def test_a_missing_package_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shell: bool
) -> None:
    monkeypatch.setattr(launchertext, "dependency_dirs", list)  # nothing else to import from
    gone = str(tmp_path / "site-packages")
    ld = write(tmp_path / "bin" / "ld.lld", launcher_text(package_parent=gone, shell=shell))
    p = run(ld, "-o", "out")
    assert p.returncode == 127
    assert p.stderr == (
        f"ldwrap: {ld}: cannot load ldwrap from {gone} (No module named "
        f"'ldwrap'); reinstall ldwrap, then run `ldwrap install {ld.parent}` "
        "again\n"
    )
    assert launcher_problem(str(ld)) == f"{ld} loads ldwrap from {gone}, which no longer holds it"


def test_a_long_interpreter_path_keeps_the_mark_in_the_first_bytes(tmp_path: Path) -> None:
    py = python_link(tmp_path, "x" * 200)
    ld = write(tmp_path / "bin" / "ld", launcher_text(python=py))
    assert ld.read_text().startswith("#!/bin/sh\n")
    assert is_shim(str(ld))
    assert launcher_problem(str(ld)) is None


def test_install_writes_the_package_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No link pays for compiling a module that the bundle does not carry (or when it is
    stale): install writes the bytecode of the package it runs from."""
    import importlib.util

    import ldwrap
    from ldwrap.launcher import precompile

    package = tmp_path / "ldwrap"
    (package / "link").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "link" / "late.py").write_text("VALUE = 1\n")
    monkeypatch.setattr(ldwrap, "__file__", str(package / "__init__.py"))
    precompile()
    assert Path(importlib.util.cache_from_source(str(package / "link" / "late.py"))).is_file()
