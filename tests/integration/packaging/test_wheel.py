"""The wheel, as a user gets it: `python -m build --wheel`, `pipx install` into a temporary
PIPX_HOME, then the installed command (not this source tree) runs --version, demo, install,
and a real gcc link through the drop-ins it wrote.

Needs pipx and `build` (the test extra); the build and pipx fetch setuptools, click and
pyelftools from the package index.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import ldwrap
from helpers import base_env, read_runpath, run_program
from ldwrap.launchertext import parse

ROOT = Path(__file__).resolve().parents[3]
SYS_PATH = "/usr/local/bin:/usr/bin:/bin"


def sh(
    cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(
        cmd, capture_output=True, text=True, env=env or base_env(), cwd=cwd, timeout=timeout
    )
    assert p.returncode == 0, f"{cmd}\n{p.stdout}\n{p.stderr}"
    return p


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (the build writes next to them)."""
    work = tmp_path_factory.mktemp("build")
    src = work / "src"
    shutil.copytree(
        ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    sh([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(src)])
    (found,) = (work / "dist").glob("ldwrap-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `ldwrap` command pipx installed from the wheel."""
    pipx = shutil.which("pipx")
    assert pipx is not None, "pipx is not installed (Debian: apt install pipx)"
    home = tmp_path_factory.mktemp("pipx")
    env = base_env(PIPX_HOME=str(home / "home"), PIPX_BIN_DIR=str(home / "bin"))
    sh([pipx, "install", str(wheel)], env=env)
    return home / "bin" / "ldwrap"


def test_the_wheel_holds_every_package_and_the_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for pkg in ("ldwrap", "ldwrap/link", "ldwrap/cli", "ldwrap/loader"):
        assert f"{pkg}/__init__.py" in names
    assert "ldwrap/py.typed" in names
    here = Path(ldwrap.__file__).parent
    sources = {f"ldwrap/{p.relative_to(here)}" for p in here.rglob("*.py")}
    assert sources <= names


def test_installed_version(installed: Path) -> None:
    p = sh([str(installed), "--version"], env=base_env(PATH=SYS_PATH))
    assert p.stdout == f"ldwrap, version {ldwrap.__version__}\n"


def test_installed_demo(installed: Path, tmp_path: Path) -> None:
    p = sh([str(installed), "demo"], env=base_env(PATH=SYS_PATH, TMPDIR=str(tmp_path)))
    assert "result: every linker behaved as expected through ldwrap" in p.stdout


def test_installed_drop_ins_link_from_the_pipx_venv(installed: Path, tmp_path: Path) -> None:
    d = tmp_path / "dropins"
    sh([str(installed), "install", str(d)], env=base_env(PATH=SYS_PATH))
    got = parse((d / "ld").read_text())
    python, parent = got.python, got.package_parent
    venv = installed.parent.parent / "home" / "venvs" / "ldwrap"
    assert python is not None and parent is not None
    assert Path(python).parent == venv / "bin"
    assert venv in Path(parent).parents
    assert not parent.startswith(str(ROOT))
    # A real link through the drop-ins: a library in a store-like prefix gets its RUNPATH.
    store = tmp_path / "nix" / "store"
    lib = store / "0123456789abcdfghijklmnpqrsvwxyz-foo-1.0" / "lib"
    lib.mkdir(parents=True)
    (tmp_path / "foo.c").write_text("int foo(void) { return 42; }\n")
    sh(["gcc", "-shared", "-fPIC", "-o", str(lib / "libfoo.so"), str(tmp_path / "foo.c")])
    (tmp_path / "main.c").write_text(
        '#include <stdio.h>\nint foo(void);\nint main(void) { printf("%d\\n", foo()); }\n'
    )
    prog = tmp_path / "prog"
    sh(
        ["gcc", str(tmp_path / "main.c"), f"-L{lib}", "-lfoo", "-o", str(prog)],
        env=base_env(PATH=f"{d}:{SYS_PATH}", NIX_STORE=str(store)),
    )
    assert read_runpath(prog) == [str(lib)]
    started = run_program(prog)
    assert started.returncode == 0, started.stderr
    assert started.stdout == "42\n"
