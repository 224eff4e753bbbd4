"""`ldwrap install DIR` with its defaults, DIR first on PATH: plain gcc and clang (whatever
linker -fuse-ld picks) link through ldwrap. clang needs the target-prefixed drop-ins for that
(it takes `x86_64-pc-linux-gnu-ld` from PATH before `ld` from its own directory); the same
links without DIR on PATH give programs that do not start, so each test can tell.

Needs gcc, clang, binutils, lld and mold (Debian: gcc clang binutils lld mold).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import BuiltStore, base_env, compile_c, read_runpath, run_program, which_linker
from ldwrap.launchertext import launcher_text

SYS_PATH = "/usr/local/bin:/usr/bin:/bin"
LDWRAP = str(Path(sys.executable).parent / "ldwrap")
MAIN = (
    "#include <stdio.h>\nint foo_value(void);\n"
    'int main(void) { printf("runs %d\\n", foo_value()); return 0; }\n'
)


@pytest.fixture(scope="module")
def default_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`ldwrap install DIR` as a user runs it: the real command, the system's PATH."""
    d = tmp_path_factory.mktemp("install") / "bin"
    p = subprocess.run(
        [LDWRAP, "install", str(d)],
        capture_output=True,
        text=True,
        env=base_env(PATH=SYS_PATH),
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    return d


@pytest.fixture(scope="module")
def main_o(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_c(MAIN, tmp_path_factory.mktemp("obj") / "main.o", "-c", "-fPIE")


def link(
    cmd: list[str], path: str, store: BuiltStore, out: Path
) -> subprocess.CompletedProcess[str]:
    env = base_env(PATH=path, NIX_STORE=str(store.root))
    return subprocess.run(
        [*cmd, "-o", str(out)], capture_output=True, text=True, env=env, timeout=120
    )


COMPILERS = {
    "clang": (["clang"], "bfd"),
    "clang -fuse-ld=lld": (["clang", "-fuse-ld=lld"], "lld"),
    "clang -fuse-ld=mold": (["clang", "-fuse-ld=mold"], "mold"),
    "gcc": (["gcc"], "bfd"),
}


@pytest.mark.parametrize("way", COMPILERS)
def test_default_install_on_path(
    way: str, default_install: Path, store: BuiltStore, main_o: Path, tmp_path: Path
) -> None:
    cc, linker = COMPILERS[way]
    for through in (True, False):
        prog = tmp_path / ("with" if through else "without")
        path = f"{default_install}:{SYS_PATH}" if through else SYS_PATH
        p = link([*cc, str(main_o), f"-L{store.foo}", "-lfoo"], path, store, prog)
        assert p.returncode == 0, p.stderr
        assert which_linker(prog) == linker
        started = run_program(prog)
        if through:
            assert read_runpath(prog) == [str(store.foo)]
            assert started.returncode == 0, started.stderr
            assert started.stdout == "runs 42\n"
        else:
            assert read_runpath(prog) is None
            assert started.returncode == 127
            assert "libfoo.so.1: cannot open shared object file" in started.stderr


def test_only_keeps_clang_plain_ld_away(store: BuiltStore, main_o: Path, tmp_path: Path) -> None:
    d = tmp_path / "bin"
    p = subprocess.run(
        [LDWRAP, "install", "--only", "ld.lld", str(d)],
        capture_output=True,
        text=True,
        env=base_env(PATH=SYS_PATH),
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    path = f"{d}:{SYS_PATH}"
    lld = tmp_path / "lld"
    assert (
        link(
            ["clang", "-fuse-ld=lld", str(main_o), f"-L{store.foo}", "-lfoo"], path, store, lld
        ).returncode
        == 0
    )
    assert read_runpath(lld) == [str(store.foo)]
    bfd = tmp_path / "bfd"
    assert link(["clang", str(main_o), f"-L{store.foo}", "-lfoo"], path, store, bfd).returncode == 0
    assert read_runpath(bfd) is None


def test_gcc_through_a_launcher_whose_package_is_gone(
    store: BuiltStore, main_o: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ldwrap import launchertext

    monkeypatch.setattr(launchertext, "dependency_dirs", list)
    d = tmp_path / "bin"
    d.mkdir()
    gone = tmp_path / "venv" / "site-packages"
    (d / "ld").write_text(launcher_text(package_parent=str(gone)))
    (d / "ld").chmod(0o755)
    p = link(
        ["gcc", f"-B{d}", str(main_o), f"-L{store.foo}", "-lfoo"],
        SYS_PATH,
        store,
        tmp_path / "prog",
    )
    assert p.returncode != 0
    assert (
        f"ldwrap: {d}/ld: cannot load ldwrap from {gone} (No module named 'ldwrap'); "
        f"reinstall ldwrap, then run `ldwrap install {d}` again\n"
    ) in p.stderr
