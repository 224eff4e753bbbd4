"""LDWRAP_SHRINK in the shim: real gcc links through the drop-ins, where --as-needed leaves a
library out of DT_NEEDED and ldwrap then takes the directory it added for it back out of
RUNPATH. Also: which links pay for the child process (audit hooks, as in security/test_audit.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import (
    BuiltStore,
    base_env,
    compile_c,
    read_needed,
    read_runpath,
    run_program,
    store_hash,
    which_linker,
)
from helpers.records import clean_env, run
from integration.security.test_audit import AUDIT, _events

MAIN = r"""
#include <stdio.h>
int foo_value(void);
int main(void) { puts(foo_value() == 42 ? "foo ok" : "foo wrong"); return 0; }
"""


def _link(
    tmp_path: Path, dropins: Path, linker: str, libs: list[str], **env: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    obj = tmp_path / "main.o"
    if not obj.exists():
        compile_c(MAIN, obj, "-c")
    out = tmp_path / "prog"
    cmd = ["gcc", f"-B{dropins}", f"-fuse-ld={linker}", str(obj), *libs, "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=base_env(**env))
    return proc, out


def _shrink_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("ldwrap: shrink:")]


@pytest.mark.parametrize("linker", ["bfd", "lld", "mold", "gold"])
def test_the_entry_of_a_dropped_library_is_trimmed(
    tmp_path: Path, store: BuiltStore, dropins: Path, linker: str
) -> None:
    caller = tmp_path / "caller"  # provides nothing, but the caller asked for it
    caller.mkdir()
    libs = [
        "-Wl,-rpath,$ORIGIN/../lib",
        f"-Wl,-rpath,{caller}",
        "-Wl,--as-needed",
        f"-L{store.foo}",
        f"-L{store.unused}",
        "-lfoo",
        "-lunused",
    ]
    proc, out = _link(
        tmp_path,
        dropins,
        linker,
        libs,
        NIX_STORE=str(store.root),
        LDWRAP_SHRINK="1",
        LDWRAP_DEBUG="1",
        LDWRAP_VERIFY="error",
    )
    assert proc.returncode == 0, proc.stderr
    assert which_linker(out) == linker
    assert "libunused.so" not in read_needed(out)
    # The caller's entries stay, $ORIGIN and one that provides nothing alike.
    assert read_runpath(out) == ["$ORIGIN/../lib", str(caller), str(store.foo)]
    assert _shrink_lines(proc.stderr) == [
        f"ldwrap: shrink: {out}: removed {store.unused} from DT_RUNPATH"
    ]
    assert "ldwrap: error" not in proc.stderr  # LDWRAP_VERIFY runs after the trim
    assert run_program(out).stdout == "foo ok\n"


@pytest.mark.parametrize("shrink", ["0", None])  # off unless LDWRAP_SHRINK=1
def test_without_shrink_1_every_entry_stays(
    tmp_path: Path, store: BuiltStore, dropins: Path, shrink: str | None
) -> None:
    libs = ["-Wl,--as-needed", f"-L{store.foo}", f"-L{store.unused}", "-lfoo", "-lunused"]
    env = {"LDWRAP_SHRINK": shrink} if shrink is not None else {}
    proc, out = _link(
        tmp_path, dropins, "lld", libs, NIX_STORE=str(store.root), LDWRAP_DEBUG="1", **env
    )
    assert proc.returncode == 0, proc.stderr
    assert read_runpath(out) == [str(store.foo), str(store.unused)]
    assert _shrink_lines(proc.stderr) == []


def test_without_as_needed_nothing_runs_after_the_link(
    tmp_path: Path, store: BuiltStore, dropins: Path
) -> None:
    # --no-as-needed after gcc's own --as-needed: every library is needed, nothing to trim.
    libs = ["-Wl,--no-as-needed", f"-L{store.foo}", f"-L{store.unused}", "-lfoo", "-lunused"]
    proc, out = _link(
        tmp_path,
        dropins,
        "bfd",
        libs,
        NIX_STORE=str(store.root),
        LDWRAP_SHRINK="1",
        LDWRAP_DEBUG="1",
    )
    assert proc.returncode == 0, proc.stderr
    assert "libunused.so.1" in read_needed(out)
    assert read_runpath(out) == [str(store.foo), str(store.unused)]
    assert _shrink_lines(proc.stderr) == []


@pytest.mark.parametrize("debug", ["1", ""])
def test_a_shared_string_tail_leaves_the_output_as_it_is(
    tmp_path: Path, store: BuiltStore, dropins: Path, debug: str
) -> None:
    """GNU ld stores the symbol name `puts` as the tail of a RUNPATH ending in `/puts`:
    rewriting that string would rename the symbol, so the trim declines, and says why only
    under LDWRAP_DEBUG."""
    tail = store.root / f"{store_hash('tail')}-tail" / "puts"
    tail.mkdir(parents=True, exist_ok=True)
    compile_c("int tail_value(void) { return 1; }\n", tail / "libtail.so", "-shared", "-fPIC")
    libs = ["-Wl,--as-needed", f"-L{store.foo}", f"-L{tail}", "-lfoo", "-ltail"]
    proc, out = _link(
        tmp_path,
        dropins,
        "bfd",
        libs,
        NIX_STORE=str(store.root),
        LDWRAP_SHRINK="1",
        LDWRAP_DEBUG=debug,
    )
    assert proc.returncode == 0, proc.stderr
    assert read_needed(out) == ["libfoo.so.1", "libc.so.6"]
    assert read_runpath(out) == [str(store.foo), str(tail)]
    expected = [
        f"ldwrap: shrink: {out}: left as it is: unsafe to edit DT_RUNPATH: symbol name "
        f"'puts' shares bytes with DT_RUNPATH (would remove {tail})"
    ]
    assert _shrink_lines(proc.stderr) == (expected if debug else [])
    if not debug:
        assert proc.stderr == ""
    assert run_program(out).stdout == "foo ok\n"


# --- who pays for the child: the shim's own system calls, logged by an audit hook ----------


@pytest.mark.parametrize(
    ("args", "env", "events"),
    [
        (["--as-needed", "-lfoo"], {"LDWRAP_SHRINK": "1"}, ["os.posix_spawn", "open"]),
        (
            ["--push-state", "--as-needed", "-lfoo", "--pop-state"],
            {"LDWRAP_SHRINK": "1"},
            ["os.posix_spawn", "open"],
        ),
        (["-lfoo"], {"LDWRAP_SHRINK": "1"}, ["os.exec"]),
        (["--as-needed", "--no-as-needed", "-lfoo"], {"LDWRAP_SHRINK": "1"}, ["os.exec"]),
        # The caller's own entry stays, and outside a CMake or Meson tree ldwrap adds no copy
        # of it: nothing of ldwrap's to trim.
        (["--as-needed", "-lfoo", "-rpath", "LIB"], {"LDWRAP_SHRINK": "1"}, ["os.exec"]),
        (
            ["--as-needed", "-lfoo", "-rpath", "/elsewhere"],
            {"LDWRAP_SHRINK": "1"},
            ["os.posix_spawn", "open"],
        ),
        (["--no-as-needed", "-lfoo", "-rpath", "LIB"], {"LDWRAP_SHRINK": "1"}, ["os.exec"]),
        (["--as-needed", "-lfoo"], {"LDWRAP_SHRINK": "0"}, ["os.exec"]),
        (["--as-needed", "-lfoo"], {}, ["os.exec"]),  # off by default
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_only_as_needed_links_with_added_entries_run_the_linker_as_a_child(
    tmp_path: Path,
    recorder: Path,
    dropins: Path,
    args: list[str],
    env: dict[str, str],
    events: list[str],
) -> None:
    lib = tmp_path / "store/p/lib"
    lib.mkdir(parents=True)
    (lib / "libfoo.so").write_bytes(b"")
    full_env = clean_env(
        PATH=f"{dropins}:{recorder}",
        NIX_STORE=str(tmp_path / "store"),
        RECORD=str(tmp_path / "record"),
        **env,
    )
    log = tmp_path / "audit.log"
    argv = ["-o", "out", "-L", str(lib), *(a.replace("LIB", str(lib)) for a in args)]
    proc = run(
        [sys.executable, "-c", AUDIT, str(log), str(dropins / "ld.lld"), *argv], full_env, tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    got = _events(log)
    assert [e[0] for e in got] == events
    if events[-1] == "open":  # the one file the hook opens for writing is the output
        assert got[-1][1][0] == "out"
