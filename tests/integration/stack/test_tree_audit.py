"""`ldwrap check` on directories (the tree audit, docs/check.md) over every prefix of a whole
stack as installed and fixed up, where it lies: in the mount namespace where the build's paths
are real and the system's copies of the stack's libraries are gone (all but the two that the
Python running ldwrap loads itself, libz and libexpat, which the interpreter needs to start).

It must find what the tier's own audit (pipeline.py, its own ELF reading) finds: nothing at all
in each mode's stack, and in the build without ldwrap exactly the needed libraries that do not
resolve (less those two, which the visible system copies then provide)."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from .buildenv import MODES
from .pipeline import Audited
from .session import StackSession


def _tree_audit(stacks: StackSession, audited: Audited) -> dict[str, Any]:
    """`ldwrap check --json` over every prefix the build installed, as one audit."""
    prefixes = [str(r.prefix) for r in audited.stack.results.values() if r.ok]
    assert prefixes
    runner = stacks.runner(audited.stack.layout, stacks.python_hiding)
    p = runner.argv([sys.executable, "-m", "ldwrap", "check", "--json", *prefixes], timeout=600)
    assert p.returncode in (0, 1), p.stderr  # 2: an argument or a tree it could not read
    report: dict[str, Any] = json.loads(p.stdout)
    assert report["paths"] == prefixes
    # Exit status 1 exactly when there is an error-level finding.
    assert (p.returncode == 1) == (report["summary"]["errors"] > 0), p.stdout
    return report


def _tier_files(audited: Audited) -> set[str]:
    return {a.file for files in audited.files.values() for a in files}


@pytest.mark.parametrize("mode", MODES)
def test_the_tree_audit_finds_nothing_in_the_installed_stack(
    stacks: StackSession, mode: str
) -> None:
    audited = stacks.mode(mode)
    report = _tree_audit(stacks, audited)
    summary = report["summary"]
    # The same ELF files as the tier's own audit, every one judged, none unreadable.
    assert summary["judged"] == len(_tier_files(audited)), summary
    assert (summary["unreadable"], summary["foreign"]) == (0, 0), summary
    messages = [f["message"] for f in report["findings"]]
    assert messages == []
    assert (summary["errors"], summary["warnings"]) == (0, 0)


def test_the_tree_audit_finds_what_a_build_without_ldwrap_misses(stacks: StackSession) -> None:
    audited = stacks.without_ldwrap()
    report = _tree_audit(stacks, audited)
    visible = stacks.hiding.sonames - stacks.python_hiding.sonames  # the interpreter's own
    tier = {
        (f.file, f.item)
        for files in audited.files.values()
        for a in files
        for f in a.after
        if f.kind == "unresolved" and f.item not in visible
    }
    found = {(f["file"], f["library"]) for f in report["findings"] if f["kind"] == "unresolved"}
    assert tier, "the build without ldwrap left every library resolvable: no control"
    assert found == tier
    assert report["summary"]["kinds"]["unresolved"] == len(tier)
