"""What dry-run and explain share (cli/_common.py): a compiler command gets one line of help,
and `--as` takes only a linker name. The real linkers are placeholders (`linker_path`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ldwrap.cli import cli

DRIVERS = [
    "gcc",
    "cc",
    "clang",
    "g++",
    "clang++",
    "c++",
    "gcc-12",
    "clang-14",
    "clang++-14",
    "x86_64-linux-gnu-gcc",
    "x86_64-linux-gnu-gcc-12",
    "aarch64-linux-gnu-g++",
    "/usr/bin/gcc",
    "ccache",
]


@pytest.mark.parametrize("cmd", ["dry-run", "explain"])
@pytest.mark.parametrize("dashes", [["--"], []])
@pytest.mark.parametrize("driver", DRIVERS)
def test_a_compiler_command_gets_one_line_of_help(cmd: str, dashes: list[str], driver: str) -> None:
    r = CliRunner().invoke(cli, [cmd, *dashes, driver, "-o", "app", "main.o"])
    assert r.exit_code == 2
    assert r.stdout == ""
    [line] = r.stderr.splitlines()
    assert "ARGS are the linker's arguments" in line
    assert f"`{driver} -### ...`" in line and "-Wl," in line


@pytest.mark.parametrize(
    "first", ["-o", "main.o", "libgcc.a", "gcc.o", "-lgcc", "crtgcc.o", "gcc-lib/x.o"]
)
def test_linker_arguments_are_not_taken_for_a_compiler(
    tmp_path: Path, linker_path: str, clean_env: None, first: str
) -> None:
    r = CliRunner().invoke(
        cli, ["dry-run", "--", first, "x.o"], env={"PATH": linker_path, "NIX_STORE": str(tmp_path)}
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"{linker_path}/ld ")


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("foo", 2),
        ("gcc", 2),
        ("ld.foo", 2),
        ("", 2),
        ("ld", 0),
        ("ld.lld", 0),
        ("mold", 0),
        ("ld.gold", 0),
        ("x86_64-linux-gnu-ld.bfd", 0),
    ],
)
@pytest.mark.parametrize("cmd", ["dry-run", "explain"])
def test_as_takes_only_a_linker_name(
    tmp_path: Path, linker_path: str, clean_env: None, cmd: str, name: str, status: int
) -> None:
    r = CliRunner().invoke(
        cli, [cmd, "--as", name, "--", "x.o"], env={"PATH": linker_path, "NIX_STORE": str(tmp_path)}
    )
    assert r.exit_code == status, r.output
    if status:
        assert "Invalid value for '--as'" in r.stderr and "is not a linker name" in r.stderr
