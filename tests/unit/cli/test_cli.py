"""The command line: dry-run, explain, version, help and demo (install: test_install.py).

`dry-run` must print exactly what the shim execs. That is proven with a stand-in "real
linker" (a shell script that writes its argv to a file: a fake, because only the argv matters
here) run through a real launcher, and compared with what `ldwrap dry-run` prints.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import base_env
from ldwrap.cli import cli
from ldwrap.link import rpath as policy
from ldwrap.link.config import HOST_NO_STORE, HOST_STORE

LDWRAP = str(Path(sys.executable).parent / "ldwrap")
SYS_PATH = "/usr/local/bin:/usr/bin:/bin"


def ldwrap(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LDWRAP, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def dumping_linker(path: Path) -> Path:
    """A stand-in linker that writes "$0" and each argument, one per line, to $DUMP."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('#!/bin/sh\nprintf \'%s\\n\' "$0" "$@" > "$DUMP"\n')
    path.chmod(0o755)
    return path


def test_dry_run_linker_not_found(tmp_path: Path) -> None:
    p = ldwrap(["dry-run", "--as", "ld.mold", "--", "-lfoo"], base_env(PATH=str(tmp_path)))
    assert p.returncode == 127
    assert p.stderr.startswith("ldwrap: cannot find the real ld.mold")


class Tree:
    def __init__(self, root: Path) -> None:
        self.store = root / "nix" / "store"

    def lib(self, pkg: str, *files: str) -> str:
        d = self.store / (pkg[0] * 32 + "-" + pkg) / "lib"
        d.mkdir(parents=True, exist_ok=True)
        for f in files:
            (d / f).touch()
        return str(d)


def explain(args: list[str], env: dict[str, str]) -> str:
    p = ldwrap(["explain", "--as", "ld.lld", "--", *args], env)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_explain_names_each_verdict(tmp_path: Path) -> None:
    t = Tree(tmp_path)
    added = t.lib("added", "libfoo.so")
    nolib = t.lib("nolib", "libother.so")
    static = t.lib("static", "libsta.so", "libsta.a")
    caller = t.lib("caller", "libbar.so")
    outside = tmp_path / "build"
    outside.mkdir()
    (outside / "libfoo.so").touch()
    env = base_env(PATH=SYS_PATH, NIX_STORE=str(t.store))
    out = explain(
        [
            "-L",
            added,
            "-L",
            nolib,
            "-L",
            str(outside),
            "-L",
            added + "/",
            "-L",
            caller,
            "-L",
            static,
            "-rpath",
            caller,
            "-lfoo",
            "-lbar",
            "-Bstatic",
            "-lsta",
            "-Bdynamic",
            added + "/libgone.so",
        ],
        env,
    )
    lines = out.splitlines()
    assert lines[0] == "linker:   /usr/bin/ld.lld (lld)"
    assert lines[1] == f"prefixes: {t.store} (nix)"
    assert f"+ {added}: {policy.ADDED} [libfoo.so]" in lines
    assert f"- {nolib}: {policy.NO_LIBRARY}" in lines
    assert f"- {outside}: {policy.OUTSIDE}" in lines
    assert f"- {added}/ -> {added}: {policy.DUPLICATE} [libfoo.so]" in lines
    assert f"+ {caller}: {policy.COPY} [libbar.so]" in lines
    assert f"- {static}: {policy.STATIC_ONLY} [libsta.so]" in lines
    assert f"- {added}/libgone.so -> {added}: {policy.MISSING}" in lines
    assert f"adds after:  -rpath {added}" in lines
    assert f"adds before: -rpath {caller}/" in lines  # the copy of the caller's entry


def test_explain_says_a_missing_directory_does_not_exist(tmp_path: Path) -> None:
    t = Tree(tmp_path)
    added = t.lib("added", "libfoo.so")
    gone_in_store = str(t.store / ("g" * 32 + "-gone") / "lib")
    gone_outside = str(tmp_path / "gone" / "lib")
    env = base_env(PATH=SYS_PATH, NIX_STORE=str(t.store))
    lines = explain(
        ["-L", gone_in_store, "-L", gone_outside, "-L", added, "-lfoo"], env
    ).splitlines()
    assert f"- {gone_in_store}: does not exist" in lines
    assert f"- {gone_outside}: does not exist" in lines
    assert f"+ {added}: {policy.ADDED} [libfoo.so]" in lines


@pytest.mark.parametrize(
    ("extra_env", "extra_args", "verdict", "note"),
    [
        ({"LDWRAP_DISABLE": "1"}, [], policy.DISABLED, None),
        ({"NIX_DONT_SET_RPATH": "1"}, [], policy.DISABLED, None),
        ({}, ["-r"], policy.NOT_DYNAMIC, None),
        ({}, ["-static-pie"], policy.NOT_DYNAMIC, None),
        ({}, ["--version"], None, "a version or help request"),
    ],
)
def test_explain_when_nothing_is_added(
    tmp_path: Path,
    extra_env: dict[str, str],
    extra_args: list[str],
    verdict: str | None,
    note: str | None,
) -> None:
    t = Tree(tmp_path)
    d = t.lib("foo", "libfoo.so")
    env = base_env(PATH=SYS_PATH, NIX_STORE=str(t.store), **extra_env)
    out = explain(["-L", d, "-lfoo", *extra_args], env)
    if verdict is not None:
        assert f"- {d}: {verdict}" in out.splitlines()
    if note is not None:
        assert f"note:     {note}" in out.splitlines()
    assert "adds after" not in out


def test_explain_outside_nix_uses_the_loaders_default_directories(tmp_path: Path) -> None:
    opt = tmp_path / "opt" / "lib"
    opt.mkdir(parents=True)
    (opt / "libc.so").touch()
    env = base_env(PATH=SYS_PATH)
    out = explain(["-L/usr/lib/x86_64-linux-gnu", "-L", str(opt), "-lc"], env)
    # The default mode, with or without a /nix/store beside the distribution.
    lines = out.splitlines()
    assert lines[1] == "prefixes: any directory the loader does not search by itself"
    assert lines[2] in (f"rule:     {HOST_NO_STORE}", f"rule:     {HOST_STORE}")
    assert f"- /usr/lib/x86_64-linux-gnu: {policy.DEFAULT_DIR}" in lines
    assert f"+ {opt}: {policy.ADDED} [libc.so]" in lines


def test_explain_without_directories(tmp_path: Path) -> None:
    out = explain(["-o", "x", "a.o"], base_env(PATH=SYS_PATH, NIX_STORE=str(tmp_path)))
    assert "no library directories" in out


# --- version, help, demo ----------------------------------------------------------------------


# --- the edges of dry-run and explain -----------------------------------------------------

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
    tmp_path: Path, clean_env: None, first: str
) -> None:
    r = CliRunner().invoke(
        cli, ["dry-run", "--", first, "x.o"], env={"PATH": SYS_PATH, "NIX_STORE": str(tmp_path)}
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("/usr/bin/ld ")


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
    tmp_path: Path, clean_env: None, cmd: str, name: str, status: int
) -> None:
    r = CliRunner().invoke(
        cli, [cmd, "--as", name, "--", "x.o"], env={"PATH": SYS_PATH, "NIX_STORE": str(tmp_path)}
    )
    assert r.exit_code == status, r.output
    if status:
        assert "Invalid value for '--as'" in r.stderr and "is not a linker name" in r.stderr


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
        (
            ["doctor", "--help"],
            [
                "Check that links on this machine go through ldwrap",
                "-fuse-ld=lld",
                "Exit",
                "--no-compilers",
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


def test_version_is_the_package_version() -> None:
    # The console script, the package and the installed metadata agree (pyproject's version
    # and ldwrap.__version__ are written separately).
    from importlib.metadata import version

    from ldwrap import __version__

    p = ldwrap(["--version"], base_env(PATH=SYS_PATH))
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"ldwrap, version {__version__}\n"
    assert version("ldwrap") == __version__


def test_explain_prints_no_empty_adds_line(tmp_path: Path) -> None:
    t = Tree(tmp_path)
    added = t.lib("added", "libfoo.so")
    env = base_env(PATH=SYS_PATH, NIX_STORE=str(t.store))
    lines = explain(["-L", added, "-lfoo"], env).splitlines()
    assert f"adds after:  -rpath {added}" in lines
    assert not any(ln.startswith("adds before") for ln in lines)  # nothing there: no line
