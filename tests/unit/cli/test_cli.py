"""The command group itself: `ldwrap` alone, the version, and the help of every command
(each command's own tests are in test_<command>.py beside this file)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ldwrap.cli import cli

# --- version, help, demo ----------------------------------------------------------------------


# --- the edges of dry-run and explain -----------------------------------------------------


def test_ldwrap_alone_prints_the_help() -> None:
    r = CliRunner().invoke(cli, [])
    assert r.exit_code == 0
    assert r.stdout.startswith("Usage: ") and "Commands:" in r.stdout and "doctor" in r.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["dry-run", "--help"],
            [
                "ARGS are the linker's arguments",
                "ldwrap dry-run -- -L/opt/x/lib -lfoo -o app main.o",
                "-###",
            ],
        ),
        (
            ["explain", "--help"],
            [
                "ARGS are the linker's arguments",
                "ldwrap explain -- -L/opt/x/lib -lfoo -o app main.o",
                "-###",
            ],
        ),
    ],
)
def test_help_says_what_the_command_does(args: list[str], words: list[str]) -> None:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0
    for w in words:
        assert w in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["dry-run", "--help"],
        ["explain", "--help"],
        ["install", "--help"],
        ["uninstall", "--help"],
        ["demo", "--help"],
        ["-h"],
    ],
)
def test_version_and_help(args: list[str]) -> None:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0
    assert ("ldwrap, version" in r.output) if args == ["--version"] else ("Usage:" in r.output)
