"""`ldwrap explain`: one line per directory with its verdict, run as the installed command.
The real linker it names is a placeholder (the `linker_path` fixture): nothing is linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Store, base_env, store_hash
from ldwrap.link.config import HOST_NO_STORE, HOST_STORE
from ldwrap.link.verdicts import (
    ADDED,
    CALLER_KEEPS,
    DEFAULT_DIR,
    DISABLED,
    DUPLICATE,
    MISSING,
    NO_LIBRARY,
    NOT_DYNAMIC,
    OUTSIDE,
    STATIC_ONLY,
)

from .conftest import ldwrap


def explain(args: list[str], env: dict[str, str]) -> str:
    p = ldwrap(["explain", "--as", "ld.lld", "--", *args], env)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_explain_names_each_verdict(tmp_path: Path, linker_path: str) -> None:
    t = Store(tmp_path)
    added = t.lib("added", "libfoo.so")
    nolib = t.lib("nolib", "libother.so")
    static = t.lib("static", "libsta.so", "libsta.a")
    caller = t.lib("caller", "libbar.so")
    outside = tmp_path / "build"
    outside.mkdir()
    (outside / "libfoo.so").touch()
    env = base_env(PATH=linker_path, NIX_STORE=str(t.root))
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
    assert lines[0] == f"linker:   {linker_path}/ld.lld (lld)"
    assert lines[1] == f"prefixes: {t.root} (nix)"
    assert f"+ {added}: {ADDED} [libfoo.so]" in lines
    assert f"- {nolib}: {NO_LIBRARY}" in lines
    assert f"- {outside}: {OUTSIDE}" in lines
    assert f"- {added}/ -> {added}: {DUPLICATE} [libfoo.so]" in lines
    assert f"- {caller}: {CALLER_KEEPS} [libbar.so]" in lines
    assert f"- {static}: {STATIC_ONLY} [libsta.so]" in lines
    assert f"- {added}/libgone.so -> {added}: {MISSING}" in lines
    assert f"adds after:  -rpath {added}" in lines
    assert not [line for line in lines if line.startswith("adds before:")]


def test_explain_says_a_missing_directory_does_not_exist(tmp_path: Path, linker_path: str) -> None:
    t = Store(tmp_path)
    added = t.lib("added", "libfoo.so")
    gone_in_store = str(t.root / f"{store_hash('gone')}-gone" / "lib")
    gone_outside = str(tmp_path / "gone" / "lib")
    env = base_env(PATH=linker_path, NIX_STORE=str(t.root))
    lines = explain(
        ["-L", gone_in_store, "-L", gone_outside, "-L", added, "-lfoo"], env
    ).splitlines()
    assert f"- {gone_in_store}: does not exist" in lines
    assert f"- {gone_outside}: does not exist" in lines
    assert f"+ {added}: {ADDED} [libfoo.so]" in lines


@pytest.mark.parametrize(
    ("extra_env", "extra_args", "verdict", "note"),
    [
        ({"LDWRAP_DISABLE": "1"}, [], DISABLED, None),
        ({"NIX_DONT_SET_RPATH": "1"}, [], DISABLED, None),
        ({}, ["-r"], NOT_DYNAMIC, None),
        ({}, ["-static-pie"], NOT_DYNAMIC, None),
        ({}, ["--version"], None, "a version or help request"),
    ],
)
def test_explain_when_nothing_is_added(
    linker_path: str,
    tmp_path: Path,
    extra_env: dict[str, str],
    extra_args: list[str],
    verdict: str | None,
    note: str | None,
) -> None:
    t = Store(tmp_path)
    d = t.lib("foo", "libfoo.so")
    env = base_env(PATH=linker_path, NIX_STORE=str(t.root), **extra_env)
    out = explain(["-L", d, "-lfoo", *extra_args], env)
    if verdict is not None:
        assert f"- {d}: {verdict}" in out.splitlines()
    if note is not None:
        assert f"note:     {note}" in out.splitlines()
    assert "adds after" not in out


def test_explain_outside_nix_uses_the_loaders_default_directories(
    tmp_path: Path, linker_path: str
) -> None:
    opt = tmp_path / "opt" / "lib"
    opt.mkdir(parents=True)
    (opt / "libc.so").touch()
    env = base_env(PATH=linker_path)
    out = explain(["-L/usr/lib/x86_64-linux-gnu", "-L", str(opt), "-lc"], env)
    # The default mode, with or without a /nix/store beside the distribution.
    lines = out.splitlines()
    assert lines[1] == "prefixes: any directory the loader does not search by itself"
    assert lines[2] in (f"rule:     {HOST_NO_STORE}", f"rule:     {HOST_STORE}")
    assert f"- /usr/lib/x86_64-linux-gnu: {DEFAULT_DIR}" in lines
    assert f"+ {opt}: {ADDED} [libc.so]" in lines


def test_explain_without_directories(tmp_path: Path, linker_path: str) -> None:
    out = explain(["-o", "x", "a.o"], base_env(PATH=linker_path, NIX_STORE=str(tmp_path)))
    assert "no library directories" in out


def test_explain_prints_no_empty_adds_line(tmp_path: Path, linker_path: str) -> None:
    t = Store(tmp_path)
    added = t.lib("added", "libfoo.so")
    env = base_env(PATH=linker_path, NIX_STORE=str(t.root))
    lines = explain(["-L", added, "-lfoo"], env).splitlines()
    assert f"adds after:  -rpath {added}" in lines
    assert not any(ln.startswith("adds before") for ln in lines)  # nothing there: no line
