"""Each package and consumer builds and installs what it should, in each mode, and
`ldwrap fixup --shrink` goes over its prefix without an error."""

from __future__ import annotations

import pytest

from .buildenv import MODES
from .layout import Layout
from .recipes import CONSUMERS, RECIPES
from .session import StackSession

NAMES = [r.name for r in (*RECIPES, *CONSUMERS)]
BY = {r.name: r for r in (*RECIPES, *CONSUMERS)}


@pytest.mark.parametrize("package", NAMES)
@pytest.mark.parametrize("mode", MODES)
def test_builds(stacks: StackSession, mode: str, package: str) -> None:
    result = stacks.mode(mode).stack.results[package]
    assert result.ok, f"{mode}: {result.error}"


@pytest.mark.parametrize("package", NAMES)
@pytest.mark.parametrize("mode", MODES)
def test_installs(stacks: StackSession, mode: str, package: str) -> None:
    audited = stacks.mode(mode)
    result = audited.stack.results[package]
    assert result.ok, f"{mode}: {package} did not build"
    layout: Layout = audited.stack.layout
    prefix = layout.host_path(result.prefix)
    recipe = BY[package]
    missing = [s for s in recipe.sonames if not (prefix / "lib" / s).exists()]
    missing += [p for p in recipe.programs if not (prefix / "bin" / p).is_file()]
    assert not missing, f"{mode}: {package} did not install {missing} into {result.prefix}"


@pytest.mark.parametrize("package", [r.name for r in RECIPES])
@pytest.mark.parametrize("mode", MODES)
def test_fixup_succeeds(stacks: StackSession, mode: str, package: str) -> None:
    result = stacks.mode(mode).stack.results[package]
    assert result.ok, f"{mode}: {package} did not build"
    assert result.fixup_status == 0, (
        f"{mode}: ldwrap fixup --shrink {result.prefix} ended with {result.fixup_status}:\n"
        f"{result.fixup_output}"
    )
