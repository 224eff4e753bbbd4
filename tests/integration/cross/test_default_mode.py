"""Cross links in the default mode (no NIX_STORE, no LDWRAP_RPATH_PREFIXES), as on a Debian
machine with or without Nix beside it: the cross gcc and clang pass their own directories as
-L (`/usr/lib/gcc-cross/<triple>/<v>`, the cross root's `/usr/<triple>/lib`), which hold the
target's libc, libstdc++ and libgcc_s. On the target those live in its loader's default
directories; as RUNPATH entries they would only name this machine's build paths. Only the
program's own library directory gets an rpath, and the program starts under qemu.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import base_env, read_runpath

from .conftest import SYS_PATH, TRIPLE, CrossStore, run_aarch64

CPP_MAIN = (
    '#include <iostream>\nextern "C" int foo_value(void);\n'
    'int main() { std::cout << "runs " << foo_value() << std::endl; return 0; }\n'
)

COMPILERS = {
    "gcc": [f"{TRIPLE}-gcc"],
    "g++": [f"{TRIPLE}-g++"],
    "clang": ["clang", f"--target={TRIPLE}"],
    "clang++": ["clang++", f"--target={TRIPLE}"],
}
LINKERS = ["", "-fuse-ld=gold", "-fuse-ld=lld", "-fuse-ld=mold"]


@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("compiler", COMPILERS)
def test_only_the_programs_own_directory_gets_an_rpath(
    compiler: str, linker: str, cross_install: Path, cross_store: CrossStore, tmp_path: Path
) -> None:
    cpp = compiler.endswith("++")
    src = tmp_path / ("main.cc" if cpp else "main.c")
    src.write_text(
        CPP_MAIN
        if cpp
        else "#include <stdio.h>\nint foo_value(void);\n"
        'int main(void) { printf("runs %d\\n", foo_value()); return 0; }\n'
    )
    prog = tmp_path / "prog"
    flags = [linker] if linker else []
    env = base_env(PATH=SYS_PATH, COMPILER_PATH=str(cross_install))
    p = subprocess.run(
        [*COMPILERS[compiler], *flags, str(src), f"-L{cross_store.foo}", "-lfoo", "-o", str(prog)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert read_runpath(prog) == [str(cross_store.foo)]
    started = run_aarch64(prog)
    assert (started.returncode, started.stdout) == (0, "runs 42\n"), started.stderr
