"""No installed program may load a library from the working directory.

glibc searches an empty RUNPATH element (`:/a`, `/a:`, `/a::/b`) as the current working
directory. CMake's install, given a build RUNPATH that a wrapper has extended, can leave one
behind (`:/x/lib/`), and the program then loads whatever `libhello.so.1` sits in the
directory it is started from. The control test shows the loader really does that here (so
the other tests can tell); the others start installed programs whose project library is, by
the build system's design, not on their RUNPATH, from the one directory that holds it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Built
from .helpers.elf import elf_files, empty_elements, raw_runpath
from .helpers.greet import Greet
from .helpers.run import LINKERS, MODES, PROJECTS, clean_env, run

pytestmark = pytest.mark.integration

# Cases whose greet-app has no install rpath to the project's own lib directory.
NO_OWN_RPATH_CASES = ("cmake-default", "cmake-skip-build-rpath", "cmake-use-link-path", "meson")


def test_control_empty_element_loads_from_cwd(greet: dict[str, Greet], tmp_path: Path) -> None:
    g = greet["default"]
    prog = tmp_path / "prog"
    # GNU ld, no ldwrap: RUNPATH "/nonexistent:" ends with an empty element.
    run(
        [
            "gcc",
            f"-I{g.prefix / 'include'}",
            "-o",
            prog,
            PROJECTS / "common" / "direct.c",
            f"-L{g.libdir}",
            "-lgreet",
            "-Wl,-rpath,/nonexistent:",
        ],
        clean_env(),
        cwd=tmp_path,
    )
    assert raw_runpath(prog) == "/nonexistent:"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    p = subprocess.run([str(prog)], cwd=elsewhere, env=clean_env(), capture_output=True, text=True)
    assert p.returncode == 127 and "libgreet.so.1: cannot open shared object file" in p.stderr
    only_copy = tmp_path / "cwd"
    only_copy.mkdir()
    shutil.copy(g.libdir / "libgreet.so.1", only_copy)
    p = subprocess.run([str(prog)], cwd=only_copy, env=clean_env(), capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout == "greet 1.0: hello, greet-direct\n", p.stderr


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("case", NO_OWN_RPATH_CASES)
def test_library_only_in_cwd_is_not_loaded(
    built: Built, case: str, linker: str, mode: str, tmp_path: Path
) -> None:
    inst = built(case, linker, mode, True)
    prefix = inst.roots[0]
    assert (prefix / "lib" / "libhello.so.1").exists()
    runpaths = {f.name: raw_runpath(f) for f in elf_files(prefix)}
    with_empty = {n: rp for n, rp in runpaths.items() if rp is not None and empty_elements(rp)}
    # A copy elsewhere: ldwrap's own `$ORIGIN/../lib/` (the project's install directory, in
    # the default mode) then leads nowhere, and only the working directory holds libhello.
    app = tmp_path / "elsewhere" / "bin" / "greet-app"
    app.parent.mkdir(parents=True)
    shutil.copy(prefix / "bin" / "greet-app", app)
    p = subprocess.run(
        [str(app)], cwd=prefix / "lib", env=clean_env(), capture_output=True, text=True, timeout=60
    )
    assert p.returncode == 127 and "libhello.so.1: cannot open shared object file" in p.stderr, (
        f"greet-app started from {prefix / 'lib'} (rc={p.returncode}): it found libhello.so.1 "
        f"through an empty RUNPATH element (the working directory) or a build tree on its "
        f"RUNPATH; RUNPATHs: {runpaths}"
    )
    assert not with_empty, f"RUNPATH with an empty element: {with_empty}"
