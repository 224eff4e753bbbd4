"""Every installed ELF file of every prefix, in each mode: each needed library resolves
(through RUNPATH alone for the stack's own, the system's copies being hidden, and as the
real loader finds it in that namespace), and RUNPATH holds no useless entry and no
directory twice (none of ldwrap's as installed, none at all after the fixup), no empty
element or empty tag, no relative entry and no entry in a source, build or temporary
directory (as installed, and after the fixup)."""

from __future__ import annotations

import pytest

from .audit import KINDS
from .buildenv import MODES
from .recipes import CONSUMERS, RECIPES
from .report import kind_report, loader_report
from .session import StackSession

NAMES = [r.name for r in (*RECIPES, *CONSUMERS)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("package", NAMES)
@pytest.mark.parametrize("mode", MODES)
def test_audit(stacks: StackSession, mode: str, package: str, kind: str) -> None:
    audited = stacks.mode(mode)
    assert audited.stack.results[package].ok, f"{mode}: {package} did not build"
    assert audited.files.get(package), f"{mode}: {package} installed no ELF file"
    # What the build system passed itself (libtool names a dependency's directory twice, or
    # one its program does not need) is the fixup's to trim, as nixpkgs' fixup phase trims
    # it: as installed, only ldwrap's own entries must be free of it. Everything else must
    # hold as installed already.
    ldwraps_only = kind in ("useless", "doubled")
    report = kind_report(audited, package, kind, ("installed", "after-fixup"), ldwraps_only)
    if report:
        pytest.fail(report, pytrace=False)


@pytest.mark.parametrize("package", NAMES)
@pytest.mark.parametrize("mode", MODES)
def test_loader_finds_every_library(stacks: StackSession, mode: str, package: str) -> None:
    audited = stacks.mode(mode)
    assert audited.stack.results[package].ok, f"{mode}: {package} did not build"
    bad = [a for a in audited.files.get(package, []) if a.loader]
    if bad:
        pytest.fail(loader_report(audited, bad), pytrace=False)


@pytest.mark.parametrize("package", NAMES)
@pytest.mark.parametrize("mode", MODES)
def test_every_file_was_linked_through_the_dropins(
    stacks: StackSession, mode: str, package: str
) -> None:
    """Each installed ELF file comes from a link the recorder saw (gcc found it first and it
    ran the drop-in): no link of the stack went around ldwrap."""
    audited = stacks.mode(mode)
    assert audited.stack.results[package].ok, f"{mode}: {package} did not build"
    unseen = [a.file for a in audited.files.get(package, []) if a.link is None]
    assert not unseen, f"{mode}: no recorded link made {unseen}"
