"""`ldwrap doctor` through click: its help, its option, its output and exit status. What
doctor finds is ldwrap.doctor's (tests/unit/doctor/); here `diagnose` is replaced by one that
records how it was asked and returns a report made by hand, so that only the command's own
work is under test."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pytest
from click.testing import CliRunner

import ldwrap.doctor
from ldwrap.cli import cli
from ldwrap.doctor import Finding, Report, render


def test_help_says_what_the_command_does() -> None:
    r = CliRunner().invoke(cli, ["doctor", "--help"])
    assert r.exit_code == 0
    words = [
        "Check that links on this machine go through ldwrap",
        "-fuse-ld=lld",
        "Exit",
        "--no-compilers",
    ]
    for w in words:
        assert w in r.stdout


@pytest.mark.parametrize(("args", "compilers"), [([], True), (["--no-compilers"], False)])
@pytest.mark.parametrize(("problem", "status"), [(False, 0), (True, 1)])
def test_the_report_is_printed_and_a_problem_exits_1(
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    compilers: bool,
    problem: bool,
    status: int,
) -> None:
    report = Report(policy="rpath for library dirs under /s (NIX_STORE)")
    report.findings = [Finding(False, "a note"), Finding(problem, "a finding", "a fix")]
    asked: list[tuple[Mapping[str, str], bool]] = []

    def diagnose(env: Mapping[str, str], compilers: bool = True) -> Report:
        asked.append((env, compilers))
        return report

    monkeypatch.setattr(ldwrap.doctor, "diagnose", diagnose)
    r = CliRunner().invoke(cli, ["doctor", *args])
    assert r.exit_code == status
    assert r.stdout == render(report) + "\n"
    assert asked == [(os.environ, compilers)]
