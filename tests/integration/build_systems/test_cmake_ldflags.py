"""CMake and a library directory it does not know: `LDFLAGS=-L<prefix>` and a plain `-lfoo`.

CMake's build rpath names only what it knows (here the build tree, for the project's own
libbar) and is padded with `:`. ldwrap's entry for the prefix must not come after that pad:
CMake's install removes its own string, and what is left would start with an empty element,
which the loader searches as the working directory. Started from the directory that holds
libbar.so (the install's lib/), the program would then load it from there.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import base_env, compile_c

from .helpers import empty_elements, raw_runpath

pytestmark = pytest.mark.integration

CMAKELISTS = """\
cmake_minimum_required(VERSION 3.13)
project(flags C)
add_library(bar SHARED bar.c)
add_executable(app app.c)
target_link_libraries(app PRIVATE bar foo)
install(TARGETS app bar RUNTIME DESTINATION bin LIBRARY DESTINATION lib)
"""
APP = "int bar(void);\nint foo(void);\nint main(void) { return bar() + foo() - 3; }\n"


@pytest.mark.parametrize("linker", ["bfd", "gold", "lld", "mold"])
def test_a_directory_from_ldflags_leaves_no_empty_element(
    tmp_path: Path, with_targets: Path, linker: str
) -> None:
    prefix = tmp_path / "opt" / "foo" / "lib"
    prefix.mkdir(parents=True)
    compile_c("int foo(void) { return 2; }\n", prefix / "libfoo.so", "-shared", "-fPIC")
    src = tmp_path / "src"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(CMAKELISTS)
    (src / "bar.c").write_text("int bar(void) { return 1; }\n")
    (src / "app.c").write_text(APP)
    build, inst = tmp_path / "build", tmp_path / "inst"
    env = base_env(PATH=f"{with_targets}:/usr/bin:/bin", LDFLAGS=f"-fuse-ld={linker} -L{prefix}")
    for cmd in (
        ["cmake", "-S", str(src), "-B", str(build), f"-DCMAKE_INSTALL_PREFIX={inst}"],
        ["cmake", "--build", str(build)],
        ["cmake", "--install", str(build)],
    ):
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
    app = inst / "bin" / "app"
    built_rp = raw_runpath(build / "app")
    assert built_rp is not None and not empty_elements(built_rp.rstrip(":")), built_rp
    assert raw_runpath(app) == str(prefix)
    started = subprocess.run(
        [str(app)], cwd=inst / "lib", env=base_env(), capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 127, "loaded libbar.so from the working directory"
    assert "libbar.so: cannot open shared object file" in started.stderr
