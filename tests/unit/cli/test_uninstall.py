"""`ldwrap uninstall`: removes ldwrap's own launchers and nothing else, and says which stayed."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from ldwrap.cli import cli
from ldwrap.launcher import drop_in_names, install

# What an `ldwrap` console script looks like: it names ldwrap's module, as old launchers did.
CONSOLE_SCRIPT = "#!/venv/bin/python\nimport sys\nfrom ldwrap.entry import main\nmain()\n"


def test_uninstall_removes_launchers_and_keeps_the_rest(tmp_path: Path) -> None:
    d = tmp_path / "bin"
    names = drop_in_names(triples=("x86_64-pc-linux-gnu",))
    install(str(d), names=names)
    (d / "ld.bfd").unlink()
    (d / "ld.bfd").write_text('#!/bin/sh\nexec /usr/bin/ld.bfd "$@"\n')  # the user's own
    (d / "ld.gold").unlink()
    (d / "ld.gold").symlink_to(d / "ld")  # a link to a launcher is not one ldwrap wrote
    (d / "ldwrap").write_text(CONSOLE_SCRIPT)  # the command itself, in the same directory
    (d / "gcc").write_text("unrelated")
    (d / "old-ld").write_text("#!/usr/bin/python3\nfrom ldwrap.entry import main\n")
    r = CliRunner().invoke(cli, ["uninstall", str(d)])
    assert r.exit_code == 0, r.output
    removed = sorted({*names, "old-ld"} - {"ld.bfd", "ld.gold"})
    assert r.stdout.splitlines() == [
        *(f"removed {d / n}" for n in removed),
        f"left {d / 'ld.bfd'}: not an ldwrap launcher",
        f"left {d / 'ld.gold'}: not an ldwrap launcher",
    ]
    assert sorted(os.listdir(d)) == ["gcc", "ld.bfd", "ld.gold", "ldwrap"]


def test_uninstall_of_a_directory_without_launchers(tmp_path: Path) -> None:
    (tmp_path / "ld").write_text("mine")
    r = CliRunner().invoke(cli, ["uninstall", str(tmp_path)])
    assert r.exit_code == 0
    assert r.stdout == f"left {tmp_path / 'ld'}: not an ldwrap launcher\n"
    assert r.stderr == f"ldwrap: no ldwrap launchers in {tmp_path}\n"
    assert (tmp_path / "ld").read_text() == "mine"


def test_uninstall_of_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["uninstall", str(tmp_path / "nope")])
    assert r.exit_code == 2
    assert f"'{tmp_path / 'nope'}' does not exist" in r.output


def test_install_then_uninstall_leaves_the_directory_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "keep").write_text("x")
    assert CliRunner().invoke(cli, ["install", str(tmp_path)], env={"PATH": ""}).exit_code == 0
    assert CliRunner().invoke(cli, ["uninstall", str(tmp_path)]).exit_code == 0
    assert os.listdir(tmp_path) == ["keep"]
