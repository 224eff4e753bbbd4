"""LDWRAP_VERIFY in the shim: real links through the drop-ins, checked after the link."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import BuiltStore, base_env, compile_c, run_program

MAIN = "int foo_value(void);\nint main(void) { return foo_value() == 42 ? 0 : 1; }\n"


def _link(
    tmp_path: Path, store: BuiltStore, dropins: Path, linker: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    obj = compile_c(MAIN, tmp_path / "main.o", "-c")
    out = tmp_path / "prog"
    cmd = ["gcc", f"-B{dropins}", f"-fuse-ld={linker}", str(obj), f"-L{store.foo}", "-lfoo"]
    proc = subprocess.run(
        [*cmd, "-o", str(out)], capture_output=True, text=True, env=base_env(**env)
    )
    return proc, out


@pytest.mark.parametrize("linker", ["lld", "bfd"])
def test_error_mode_fails_a_link_whose_output_would_not_start(
    tmp_path: Path, store: BuiltStore, dropins: Path, linker: str
) -> None:
    # The rpath is turned off, so the program cannot find libfoo.so.1 at run time.
    proc, out = _link(
        tmp_path,
        store,
        dropins,
        linker,
        NIX_STORE=str(store.root),
        NIX_DONT_SET_RPATH="1",
        LDWRAP_VERIFY="error",
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == f"ldwrap: error: {out}: libfoo.so.1: not found"
    # Removed, as a failing linker leaves no output: make and ninja do not take it for done.
    assert not out.exists()


def test_warn_mode_reports_but_keeps_the_link(
    tmp_path: Path, store: BuiltStore, dropins: Path
) -> None:
    proc, out = _link(
        tmp_path,
        store,
        dropins,
        "lld",
        NIX_STORE=str(store.root),
        NIX_DONT_SET_RPATH="1",
        LDWRAP_VERIFY="warn",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"ldwrap: warning: {out}: libfoo.so.1: not found\n"
    # The verdict is the loader's own: the program really does not start.
    assert run_program(out).returncode != 0


@pytest.mark.parametrize("linker", ["lld", "mold", "gold"])
def test_error_mode_passes_a_good_link(
    tmp_path: Path, store: BuiltStore, dropins: Path, linker: str
) -> None:
    proc, out = _link(
        tmp_path, store, dropins, linker, NIX_STORE=str(store.root), LDWRAP_VERIFY="error"
    )
    assert proc.returncode == 0, proc.stderr
    assert "ldwrap" not in proc.stderr
    assert run_program(out).returncode == 0


def test_linker_failure_status_passes_through_in_verify_mode(
    tmp_path: Path, store: BuiltStore, dropins: Path
) -> None:
    # An undefined library: the real linker fails, and its status is the link's.
    obj = compile_c(MAIN, tmp_path / "main.o", "-c")
    proc = subprocess.run(
        ["gcc", f"-B{dropins}", "-fuse-ld=lld", str(obj), "-lnosuchlib", "-o", "p"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=base_env(NIX_STORE=str(store.root), LDWRAP_VERIFY="error"),
    )
    assert proc.returncode == 1
    assert "nosuchlib" in proc.stderr


@pytest.mark.parametrize("rpath", [True, False])
def test_error_mode_catches_a_system_copy_standing_in(
    tmp_path: Path, dropins: Path, rpath: bool
) -> None:
    """The program's prefix has its own libz.so.1 (a tiny library of that soname); with no
    rpath to it, the system's zlib would be loaded instead: LDWRAP_VERIFY=error fails the
    link and names both files. With ldwrap's rpath the own copy is found and the link
    passes."""
    own = tmp_path / "p" / "lib" / "libz.so.1"
    own.parent.mkdir(parents=True)
    compile_c("int own_z(void) { return 1; }\n", own, "-shared", "-fPIC", "-Wl,-soname,libz.so.1")
    main = compile_c("int main(void) { return 0; }\n", tmp_path / "main.o", "-c")
    out = tmp_path / "p" / "bin" / "app"
    out.parent.mkdir()
    env = base_env(LDWRAP_RPATH_PREFIXES=str(tmp_path), LDWRAP_VERIFY="error")
    if not rpath:
        env["NIX_DONT_SET_RPATH"] = "1"
    cmd = ["gcc", f"-B{dropins}", str(main), "-Wl,--no-as-needed", f"-L{own.parent}"]
    proc = subprocess.run(
        [*cmd, "-l:libz.so.1", "-o", str(out)], capture_output=True, text=True, env=env
    )
    if rpath:
        assert proc.returncode == 0, proc.stderr
        assert "ldwrap" not in proc.stderr
        trace = run_program(out, base_env(LD_TRACE_LOADED_OBJECTS="1")).stdout
        assert f"libz.so.1 => {own} " in trace  # the real loader takes the own copy
        return
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == (
        f"ldwrap: error: {out}: libz.so.1 is loaded from /lib/x86_64-linux-gnu/libz.so.1 "
        f"(ld.so.cache), not the program's own {own}"
    )
    assert not out.exists()


@pytest.mark.parametrize("mode", ["warn", "error"])
@pytest.mark.parametrize("linker", ["bfd", "lld"])
def test_a_needed_path_is_a_warning_that_keeps_the_link(
    tmp_path: Path, dropins: Path, mode: str, linker: str
) -> None:
    """A library without a SONAME, linked by its path (what a cargo cdylib gives): the output
    needs that path. LDWRAP_VERIFY says so with the fix, and the link stands even in error
    mode: at link time the library is where the build put it; `ldwrap check` on the
    installed tree judges it there."""
    lib = compile_c("int nos(void) { return 42; }\n", tmp_path / "libnos.so", "-shared", "-fPIC")
    main = compile_c("int nos(void);\nint main(void) { return nos() == 42 ? 0 : 1; }\n",
                     tmp_path / "main.o", "-c")  # fmt: skip
    out = tmp_path / "prog"
    env = base_env(LDWRAP_RPATH_PREFIXES=str(tmp_path), LDWRAP_VERIFY=mode)
    proc = subprocess.run(
        ["gcc", f"-B{dropins}", f"-fuse-ld={linker}", str(main), str(lib), "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (
        f"ldwrap: warning: {out}: DT_NEEDED '{lib}' is a path: the loader opens that file and "
        "ignores the run path; fix: link libnos.so with a SONAME (-Wl,-soname,libnos.so), "
        f"then relink {out}: it then needs the bare name, found through its run path\n"
    )
    assert run_program(out).returncode == 0  # it works, from the build tree
