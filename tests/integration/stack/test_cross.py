"""An aarch64 subset (zlib with its configure, libpng with autotools, our C consumer linked
by GNU ld) built with aarch64-linux-gnu-gcc through the drop-ins (COMPILER_PATH, as
docs/cross.md says), run under qemu-aarch64 with the cross root, and audited like the
native stack."""

from __future__ import annotations

import os

import pytest

from .audit import KINDS
from .report import kind_report, loader_report
from .session import CROSS, CROSS_MODES, QEMU, StackSession
from .summary import summary


@pytest.mark.parametrize("package", CROSS)
@pytest.mark.parametrize("mode", CROSS_MODES)
def test_cross_builds(stacks: StackSession, mode: str, package: str) -> None:
    result = stacks.cross(mode).stack.results[package]
    assert result.ok, result.error


@pytest.mark.parametrize("mode", CROSS_MODES)
def test_no_aarch64_copy_to_fall_back_on(stacks: StackSession, mode: str) -> None:
    """qemu's loader could find nothing of the stack but through RUNPATH: either the cross
    root has no copy, or the namespace hides it."""
    audited = stacks.cross(mode)
    hidden = {str(d): names for d, names in stacks.cross_hiding.hidden.items()}
    for d in ("/usr/aarch64-linux-gnu/lib",):
        present = sorted(n for n in os.listdir(d) if n.startswith(("libz.so", "libpng16.so")))
        assert set(present) <= set(hidden.get(d, ())), (d, present, hidden)
    assert audited.stack.results["stackprobe-png"].ok


@pytest.mark.parametrize("program", ["pngfix", "stackprobe"])
@pytest.mark.parametrize("mode", CROSS_MODES)
def test_cross_program_runs(stacks: StackSession, mode: str, program: str) -> None:
    audited = stacks.cross(mode)
    stack = audited.stack
    qemu = " ".join(QEMU)
    data = stack.layout.data
    if program == "pngfix":
        result = stack.results["libpng"]
        script = f"{qemu} {result.prefix}/bin/pngfix --out=fixed.png {data}/image.png && echo ok\n"
        want = "ok"
    else:
        result = stack.results["stackprobe-png"]
        script = f"{qemu} {result.prefix}/bin/stackprobe\n"
        want = "libpng "
    assert result.ok, result.error
    p = audited.runner.sh(script)
    passed = p.returncode == 0 and want in p.stdout
    summary(stack.name).started[program] = passed
    assert passed, f"{stack.name}: {script}status {p.returncode}\n{p.stdout}{p.stderr}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", CROSS_MODES)
def test_cross_audit(stacks: StackSession, mode: str, kind: str) -> None:
    audited = stacks.cross(mode)
    stages = ("after-fixup",) if kind == "useless" else ("installed", "after-fixup")
    reports = [kind_report(audited, p, kind, stages) for p in CROSS]
    bad = [r for r in reports if r]
    if bad:
        pytest.fail("\n".join(bad), pytrace=False)


@pytest.mark.parametrize("mode", CROSS_MODES)
def test_cross_loader_finds_every_library(stacks: StackSession, mode: str) -> None:
    audited = stacks.cross(mode)
    bad = [a for files in audited.files.values() for a in files if a.loader]
    if bad:
        pytest.fail(loader_report(audited, bad), pytrace=False)
