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
