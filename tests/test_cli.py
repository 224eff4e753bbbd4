"""The command line: dry-run, explain, install and demo.

`dry-run` must print exactly what the shim execs. That is proven with a stand-in "real
linker" (a shell script that writes its argv to a file: a fake, because only the argv matters
here) run through a real launcher, and compared with what `ldwrap dry-run` prints.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_subprocess import FakeProcess

from conftest import BuiltStore, base_env
from ldwrap import policy
from ldwrap.cli import cli

LDWRAP = str(Path(sys.executable).parent / "ldwrap")
SYS_PATH = "/usr/local/bin:/usr/bin:/bin"


def ldwrap(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LDWRAP, *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120)


def dumping_linker(path: Path) -> Path:
    """A stand-in linker that writes "$0" and each argument, one per line, to $DUMP."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('#!/bin/sh\nprintf \'%s\\n\' "$0" "$@" > "$DUMP"\n')
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("name", ["ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold"])
def test_dry_run_argv_is_what_the_shim_execs(
    name: str, store: BuiltStore, dropins: Path, tmp_path: Path
) -> None:
    real = dumping_linker(tmp_path / "sys" / name)
    dump = tmp_path / "dump"
    (tmp_path / "more.rsp").write_text(f"-L '{store.bar}' -lbar\n")
    args = ["-o", "prog", "main.o", f"-L{store.foo}", "-L", str(store.unused), "-lfoo",
            "@more.rsp", "-soname", "lib x.so", "-rpath", "/keep"]
    env = base_env(PATH=f"{real.parent}:{SYS_PATH}", NIX_STORE=str(store.root), DUMP=str(dump))

    p = subprocess.run([str(dropins / name), *args], env=env, cwd=tmp_path, timeout=60,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    execd = dump.read_text().splitlines()

    j = ldwrap(["dry-run", "--json", "--as", name, "--", *args], env, cwd=tmp_path)
    assert j.returncode == 0, j.stderr
    data = json.loads(j.stdout)
    assert data["argv"] == execd
    assert execd == [str(real), *args, "-rpath", str(store.foo), "-rpath", str(store.bar)]
    assert data["linker"] == str(real)
    assert data["added_after"] == ["-rpath", str(store.foo), "-rpath", str(store.bar)]

    t = ldwrap(["dry-run", "--as", name, "--", *args], env, cwd=tmp_path)
    assert t.returncode == 0, t.stderr
    assert shlex.split(t.stdout) == execd


def test_dry_run_json_lists_every_directory_with_its_verdict(
    store: BuiltStore, tmp_path: Path
) -> None:
    env = base_env(PATH=SYS_PATH, NIX_STORE=str(store.root))
    args = ["-L", str(store.foo), "-L", str(store.unused), "-L", str(tmp_path), "-lfoo"]
    data = json.loads(ldwrap(["dry-run", "--json", "--as", "ld.lld", "--", *args], env).stdout)
    assert [(d["path"], d["verdict"]) for d in data["directories"]] == [
        (str(store.foo), policy.ADDED),
        (str(store.unused), policy.NO_LIBRARY),
        (str(tmp_path), policy.OUTSIDE),
    ]
    assert data["directories"][0]["libraries"] == ["libfoo.so"]
    assert data["mode"] == "nix" and data["prefixes"] == [str(store.root)]
    assert data["flavour"] == "lld"


def test_dry_run_links_nothing(store: BuiltStore, tmp_path: Path) -> None:
    env = base_env(PATH=SYS_PATH, NIX_STORE=str(store.root))
    p = ldwrap(["dry-run", "--as", "ld.lld", "--", "-o", str(tmp_path / "out"), "nonexist.o"],
               env)
    assert p.returncode == 0
    assert not (tmp_path / "out").exists()


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
    out = explain(["-L", added, "-L", nolib, "-L", str(outside), "-L", added + "/", "-L", caller,
                   "-L", static, "-rpath", caller, "-lfoo", "-lbar", "-Bstatic", "-lsta",
                   "-Bdynamic", added + "/libgone.so"], env)
    lines = out.splitlines()
    assert lines[0] == "linker:   /usr/bin/ld.lld (lld)"
    assert lines[1] == f"prefixes: {t.store} (nix)"
    assert f"+ {added}: {policy.ADDED} [libfoo.so]" in lines
    assert f"- {nolib}: {policy.NO_LIBRARY}" in lines
    assert f"- {outside}: {policy.OUTSIDE}" in lines
    assert f"- {added}/ -> {added}: {policy.DUPLICATE} [libfoo.so]" in lines
    assert f"- {caller}: {policy.CALLER} [libbar.so]" in lines
    assert f"- {static}: {policy.STATIC_ONLY} [libsta.so]" in lines
    assert f"- {added}/libgone.so -> {added}: {policy.MISSING}" in lines
    assert f"adds after:  -rpath {added}" in lines


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
    tmp_path: Path, extra_env: dict[str, str], extra_args: list[str], verdict: str | None,
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
    if os.path.isdir("/nix/store"):  # then /nix/store is the prefix, and both are outside it
        assert f"- {opt}: {policy.OUTSIDE}" in out
    else:
        assert "prefixes: any directory the loader does not search by itself" in out
        assert f"- /usr/lib/x86_64-linux-gnu: {policy.DEFAULT_DIR}" in out
        assert f"+ {opt}: {policy.ADDED} [libc.so]" in out


def test_explain_without_directories(tmp_path: Path) -> None:
    out = explain(["-o", "x", "a.o"], base_env(PATH=SYS_PATH, NIX_STORE=str(tmp_path)))
    assert "no library directories" in out


# --- install ----------------------------------------------------------------------------------

NAMES = ("ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold")


def test_install_writes_every_drop_in(tmp_path: Path) -> None:
    d = tmp_path / "bin"
    r = CliRunner().invoke(cli, ["install", str(d)])
    assert r.exit_code == 0, r.output
    assert sorted(os.listdir(d)) == sorted(NAMES)
    for n in NAMES:
        text = (d / n).read_text()
        assert text.startswith("#!") and "ldwrap-shim" in text
        assert (d / n).stat().st_mode & stat.S_IXUSR


def test_install_is_idempotent(tmp_path: Path) -> None:
    d = tmp_path / "bin"
    assert CliRunner().invoke(cli, ["install", str(d)]).exit_code == 0
    first = {n: (d / n).read_text() for n in NAMES}
    r = CliRunner().invoke(cli, ["install", str(d)])
    assert r.exit_code == 0, r.output
    assert {n: (d / n).read_text() for n in NAMES} == first
    assert sorted(os.listdir(d)) == sorted(NAMES)  # no temporary files left behind


@pytest.mark.parametrize("foreign", ["file", "symlink"])
def test_install_refuses_foreign_files_without_force(tmp_path: Path, foreign: str) -> None:
    d = tmp_path / "bin"
    d.mkdir()
    if foreign == "file":
        (d / "ld.lld").write_text("#!/bin/sh\necho mine\n")
    else:
        (d / "ld.lld").symlink_to("/usr/bin/ld.lld")
    before = os.readlink(d / "ld.lld") if foreign == "symlink" else (d / "ld.lld").read_text()
    r = CliRunner().invoke(cli, ["install", str(d)])
    assert r.exit_code == 1
    assert "not an ldwrap launcher" in r.output and "--force" in r.output
    after = os.readlink(d / "ld.lld") if foreign == "symlink" else (d / "ld.lld").read_text()
    assert after == before
    r = CliRunner().invoke(cli, ["install", "--force", str(d)])
    assert r.exit_code == 0, r.output
    assert not (d / "ld.lld").is_symlink()
    assert "ldwrap-shim" in (d / "ld.lld").read_text()


def test_installed_launcher_runs_the_real_linker(tmp_path: Path) -> None:
    d = tmp_path / "bin"
    CliRunner().invoke(cli, ["install", str(d)])
    for n, word in (("ld", "GNU ld"), ("ld.gold", "GNU gold"), ("ld.lld", "LLD"),
                    ("ld.mold", "mold"), ("mold", "mold")):
        p = subprocess.run([str(d / n), "--version"], capture_output=True, text=True,
                           env=base_env(PATH=f"{d}:{SYS_PATH}"), timeout=60)
        assert p.returncode == 0 and word in p.stdout, (n, p.stderr)


def test_install_into_a_file_fails(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    r = CliRunner().invoke(cli, ["install", str(f)])
    assert r.exit_code != 0


# --- version, help, demo ----------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["dry-run", "--help"],
                                  ["explain", "--help"], ["install", "--help"],
                                  ["demo", "--help"], ["-h"]])
def test_version_and_help(args: list[str]) -> None:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0
    assert ("ldwrap, version" in r.output) if args == ["--version"] else ("Usage:" in r.output)


def test_demo_runs_with_every_linker() -> None:
    p = ldwrap(["demo"], base_env())
    assert p.returncode == 0, p.stdout + p.stderr
    for label in ("bfd", "gold", "lld", "mold"):
        block = p.stdout.split(f"\n{label:5} without ldwrap:")[1].split("\n\n")[0]
        assert block.startswith(" fails"), block
        assert "with ldwrap:    runs" in block, block
        assert "RUNPATH:" in block and "/nix/store/" in block
    assert "result: every linker behaved as expected" in p.stdout


def test_demo_works_after_the_recommended_set_up(dropins: Path) -> None:
    # The drop-ins first on PATH (as the README says), and settings of the user's own that
    # would change the example: the demo's plain link must still be plain.
    env = base_env(PATH=f"{dropins}:{SYS_PATH}", LDWRAP_DISABLE="1", LDWRAP_LINKER="ld.bfd",
                   NIX_DONT_SET_RPATH="1")
    p = ldwrap(["demo"], env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.count(" without ldwrap: fails") == 4
    assert p.stdout.count(" with ldwrap:    runs") == 4


def test_demo_reports_a_program_that_does_not_start(
    fp: FakeProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # pytest-subprocess fakes one thing only: the start of the lld program linked through
    # ldwrap, which fails here as if its RUNPATH were wrong. Every compile and link is real.
    fp.allow_unregistered(True)
    work = tmp_path / "demo"
    work.mkdir()
    monkeypatch.setattr("tempfile.mkdtemp", lambda prefix="": str(work))
    fp.register([str(work / "ldwrap-lld")], returncode=127,
                stderr="error while loading shared libraries: libgreet.so.1\n")
    from ldwrap.demo import run_demo

    assert run_demo() == 1
    out = capsys.readouterr().out
    lld = out.split("\nlld   without ldwrap:")[1].split("\n\n")[0]
    assert "with ldwrap:    fails: error while loading shared libraries" in lld
    assert "result: 1 of 4 linkers did not behave as expected" in out
