"""Every program does real work with the system's copies of the stack hidden, the build and
source trees emptied, from an empty working directory: the packages' own programs and our
C, C++ and Rust consumers."""

from __future__ import annotations

import pytest

from . import checks
from .buildenv import MODES
from .pipeline import Audited
from .session import StackSession
from .summary import summary


def run_check(audited: Audited, check: checks.Check) -> None:
    stack = audited.stack
    result = stack.results[check.package]
    assert result.ok, f"{stack.name}: {check.package} did not build"
    prefixes = {n: str(r.prefix) for n, r in stack.results.items()}
    prefixes["data"] = str(stack.layout.data)
    versions = {n: r.version for n, r in stack.results.items()}
    values = checks.facts(versions)
    script = checks.render(check.script, prefixes, values)
    p = audited.runner.sh(script)
    out = p.stdout + p.stderr
    missing = checks.unmatched(
        p.stdout, [checks.pattern(e, prefixes, values) for e in check.expect]
    )
    passed = p.returncode == 0 and not missing
    summary(stack.name).started[check.id] = passed
    if not passed:
        pytest.fail(
            f"{stack.name}: {check.id}: status {p.returncode}"
            + (f", no line matches {missing}" if missing else "")
            + f"\n--- script\n{script}--- output\n{out[-3000:]}",
            pytrace=False,
        )


@pytest.mark.parametrize("check", [c.id for c in checks.CHECKS])
@pytest.mark.parametrize("mode", MODES)
def test_program_runs(stacks: StackSession, mode: str, check: str) -> None:
    run_check(stacks.mode(mode), checks.BY_ID[check])


@pytest.mark.parametrize("check", [c.id for c in checks.CONSUMER_CHECKS])
@pytest.mark.parametrize("mode", MODES)
def test_consumer_runs(stacks: StackSession, mode: str, check: str) -> None:
    run_check(stacks.mode(mode), checks.BY_ID[check])
