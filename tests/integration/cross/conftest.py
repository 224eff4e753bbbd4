"""Cross links for real: Debian's aarch64 cross gcc and binutils, clang --target, lld and
mold, the programs run under qemu-user with the cross loader.

Needs gcc-aarch64-linux-gnu, binutils-aarch64-linux-gnu, clang, lld, mold and qemu-user.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import Store, base_env, store_hash

TRIPLE = "aarch64-linux-gnu"
CROSS_GCC = f"{TRIPLE}-gcc"
SYS_PATH = "/usr/local/bin:/usr/bin:/bin"
LDWRAP = str(Path(sys.executable).parent / "ldwrap")
MAIN = (
    "#include <stdio.h>\nint foo_value(void);\n"
    'int main(void) { printf("runs %d\\n", foo_value()); return 0; }\n'
)


class CrossStore(Store):
    """A store-like prefix holding libfoo.so.1 twice: built for aarch64 and for x86_64."""

    foo: Path  # aarch64
    foo_x86: Path  # x86_64, the same name: what a mixed search path finds first


def cross_compile(source: str, out: Path, *flags: str) -> Path:
    src = out.with_name(out.name + ".c")
    src.write_text(source)
    subprocess.run([CROSS_GCC, *flags, "-o", str(out), str(src)], check=True, env=base_env())
    return out


@pytest.fixture(scope="session")
def cross_store(tmp_path_factory: pytest.TempPathFactory) -> CrossStore:
    s = CrossStore(tmp_path_factory.mktemp("cross-prefix"))
    s.foo = s.libdir("foo-aarch64-1.0")
    cross_compile(
        "int foo_value(void) { return 42; }\n",
        s.foo / "libfoo.so.1",
        "-shared",
        "-fPIC",
        "-Wl,-soname,libfoo.so.1",
    )
    (s.foo / "libfoo.so").symlink_to("libfoo.so.1")
    s.shared_lib("foo-x86_64-1.0", "foo")
    s.foo_x86 = s.libdir("foo-x86_64-1.0")
    for d in (s.foo, s.foo_x86):
        for src in d.glob("*.c"):
            src.unlink()
    assert store_hash("foo-aarch64-1.0") in str(s.foo)
    return s


@pytest.fixture(scope="session")
def cross_main_o(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cross_compile(MAIN, tmp_path_factory.mktemp("cross-obj") / "main.o", "-c", "-fPIE")


@pytest.fixture(scope="session")
def cross_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`ldwrap install DIR` as a user runs it on a machine with a cross gcc: the real
    command, the system's PATH."""
    d = tmp_path_factory.mktemp("cross-install") / "bin"
    p = subprocess.run(
        [LDWRAP, "install", str(d)],
        capture_output=True,
        text=True,
        env=base_env(PATH=SYS_PATH),
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    return d


def run_aarch64(prog: Path) -> subprocess.CompletedProcess[str]:
    """Start an aarch64 program as a user would, under qemu with the cross loader and its
    libraries: nothing but the program's own RUNPATH can lead the loader to libfoo."""
    env = base_env()
    env.pop("QEMU_LD_PREFIX", None)
    return subprocess.run(
        ["qemu-aarch64", "-L", f"/usr/{TRIPLE}", str(prog)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
