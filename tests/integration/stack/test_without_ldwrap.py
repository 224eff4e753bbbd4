"""The proof that the namespace leaves a program nothing but its RUNPATH: the same packages
built the same way without ldwrap's drop-ins (CMake's zstd and brotli, lz4's Makefile, our C
consumer) build, and their programs fail to start, the loader naming a stack library."""

from __future__ import annotations

import re

import pytest

from .session import WITHOUT_LDWRAP, StackSession

# The programs run, by the check that runs them (the same scripts as test_programs.py).
PROGRAMS = {"zstd": "zstd", "brotli": "brotli", "lz4": "lz4", "stackprobe-small": "stackprobe"}
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
