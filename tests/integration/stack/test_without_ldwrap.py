"""The proof that the namespace leaves a program nothing but its RUNPATH: the same packages
built the same way without ldwrap's drop-ins (CMake's zstd and brotli, lz4's Makefile, our C
consumer) build, and then zstd and the consumer fail to start, and brotli's libraries do not
load, the loader naming a stack library each time. (lz4's and brotli's programs compile the
libraries' code in and need none of them.)"""

from __future__ import annotations

import re

import pytest

from .runner import LOADER
from .session import WITHOUT_LDWRAP, StackSession

# The programs run, by the check that runs them (the same scripts as test_programs.py).
PROGRAMS = {"zstd": "zstd", "stackprobe-small": "stackprobe"}
LIBRARIES = ("libbrotlidec.so.1.0.9", "libbrotlienc.so.1.0.9")
CANNOT_OPEN = re.compile(
    r"error while loading shared libraries: (\S+): cannot open shared object file"
)


@pytest.mark.parametrize("package", WITHOUT_LDWRAP)
def test_builds_without_ldwrap(stacks: StackSession, package: str) -> None:
    result = stacks.without_ldwrap().stack.results[package]
    assert result.ok, result.error


@pytest.mark.parametrize("package", sorted(PROGRAMS))
def test_fails_to_start_without_ldwrap(stacks: StackSession, package: str) -> None:
    audited = stacks.without_ldwrap()
    stack = audited.stack
    result = stack.results[package]
    assert result.ok, result.error
    program = result.prefix / "bin" / PROGRAMS[package]
    script = f"{program} --version\n" if package != "stackprobe-small" else f"{program}\n"
    p = audited.runner.sh(script)
    m = CANNOT_OPEN.search(p.stderr)
    assert p.returncode != 0 and m, (
        f"{program} built without ldwrap was expected not to start; status {p.returncode}\n"
        f"{p.stdout}{p.stderr}"
    )
    assert m.group(1) in stacks.hiding.sonames, (
        f"the loader missed {m.group(1)}, not a stack library"
    )


@pytest.mark.parametrize("library", LIBRARIES)
def test_library_does_not_load_without_ldwrap(stacks: StackSession, library: str) -> None:
    audited = stacks.without_ldwrap()
    result = audited.stack.results["brotli"]
    assert result.ok, result.error
    path = str(result.prefix / "lib" / library)
    p = audited.runner.argv([LOADER, "--list", path])
    out = p.stdout + p.stderr
    # As a program's own need: "error while loading shared libraries: X: cannot open ...";
    # as one of its libraries' needs: "X => not found".
    m = CANNOT_OPEN.search(out)
    missing = m.group(1) if m else None
    assert missing == "libbrotlicommon.so.1" or "libbrotlicommon.so.1 => not found" in out, (
        f"ld.so --list {path}:\n{out}"
    )
