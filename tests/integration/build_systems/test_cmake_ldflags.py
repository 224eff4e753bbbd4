"""CMake and a library directory it does not know: `LDFLAGS=-L<prefix>` and a plain `-lfoo`.

CMake's build rpath names the directories of what it links by path (here libbaz, from
another prefix) and is padded with `:`. ldwrap's entry for the `LDFLAGS` prefix must not
come after that pad: CMake's install removes its own string, and what is left would hold an
empty element in front of the prefix, which the loader searches as the working directory.
Started from a directory holding another libfoo.so, the program would load that one.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import base_env, compile_c

from .helpers.elf import empty_elements, raw_runpath

pytestmark = pytest.mark.integration

CMAKELISTS = """\
cmake_minimum_required(VERSION 3.13)
project(flags C)
add_executable(app app.c)
target_link_libraries(app PRIVATE ${BAZ} foo)
install(TARGETS app RUNTIME DESTINATION bin)
"""
APP = (
    "#include <stdio.h>\nint foo(void);\nint baz(void);\n"
    'int main(void) { printf("foo %d baz %d\\n", foo(), baz()); return 0; }\n'
)


def shared(source: str, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    return compile_c(source, out, "-shared", "-fPIC")


@pytest.mark.parametrize("linker", ["bfd", "gold", "lld", "mold"])
def test_a_directory_from_ldflags_leaves_no_empty_element(
    tmp_path: Path, with_targets: Path, linker: str
) -> None:
    foo = shared("int foo(void) { return 2; }\n", tmp_path / "opt/foo/lib/libfoo.so").parent
    baz = shared("int baz(void) { return 1; }\n", tmp_path / "opt/baz/lib/libbaz.so").parent
    other = shared("int foo(void) { return 9; }\n", tmp_path / "other/libfoo.so").parent
    src = tmp_path / "src"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(CMAKELISTS)
    (src / "app.c").write_text(APP)
    build, inst = tmp_path / "build", tmp_path / "inst"
    env = base_env(PATH=f"{with_targets}:/usr/bin:/bin", LDFLAGS=f"-fuse-ld={linker} -L{foo}")
    configure = ["cmake", "-S", str(src), "-B", str(build), f"-DCMAKE_INSTALL_PREFIX={inst}"]
    for cmd in (
        [*configure, f"-DBAZ={baz}/libbaz.so"],
        ["cmake", "--build", str(build)],
        ["cmake", "--install", str(build)],
    ):
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
    assert raw_runpath(build / "app") == f"{baz}/:{foo}:{baz}:"  # CMake's pad stays last
    app = inst / "bin" / "app"
    installed = raw_runpath(app)
    assert installed == f"{baz}/:{foo}"
    assert not empty_elements(installed)
    started = subprocess.run(
        [str(app)], cwd=other, env=base_env(), capture_output=True, text=True, timeout=60
    )
    assert (started.returncode, started.stdout) == (0, "foo 2 baz 1\n"), started.stderr
