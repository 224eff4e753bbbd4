"""The command line against real linkers: `dry-run` must print exactly what the shim execs (the
session store is built with gcc), installed launchers run the real linkers, and `demo` compiles
and links for real. The in-process and stand-in cases are in tests/unit/cli/."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_subprocess import FakeProcess

from helpers import BuiltStore, base_env
from ldwrap.cli import cli
from ldwrap.link.verdicts import ADDED, NO_LIBRARY, OUTSIDE
from unit.cli.conftest import SYS_PATH, dumping_linker, ldwrap


@pytest.mark.parametrize("name", ["ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold"])
def test_dry_run_argv_is_what_the_shim_execs(
    name: str, store: BuiltStore, dropins: Path, tmp_path: Path
) -> None:
    real = dumping_linker(tmp_path / "sys" / name)
    dump = tmp_path / "dump"
    (tmp_path / "more.rsp").write_text(f"-L '{store.bar}' -lbar\n")
    args = [
        "-o",
        "prog",
        "main.o",
        f"-L{store.foo}",
        "-L",
        str(store.unused),
        "-lfoo",
        "@more.rsp",
        "-soname",
        "lib x.so",
        "-rpath",
        "/keep",
    ]
    env = base_env(PATH=f"{real.parent}:{SYS_PATH}", NIX_STORE=str(store.root), DUMP=str(dump))

    p = subprocess.run(
        [str(dropins / name), *args],
        env=env,
        cwd=tmp_path,
        timeout=60,
        capture_output=True,
        text=True,
    )
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
        (str(store.foo), ADDED),
        (str(store.unused), NO_LIBRARY),
        (str(tmp_path), OUTSIDE),
    ]
    assert data["directories"][0]["libraries"] == ["libfoo.so"]
    assert data["mode"] == "nix" and data["prefixes"] == [str(store.root)]
    assert data["flavour"] == "lld"


def test_dry_run_links_nothing(store: BuiltStore, tmp_path: Path) -> None:
    env = base_env(PATH=SYS_PATH, NIX_STORE=str(store.root))
    p = ldwrap(["dry-run", "--as", "ld.lld", "--", "-o", str(tmp_path / "out"), "nonexist.o"], env)
    assert p.returncode == 0
    assert not (tmp_path / "out").exists()


def test_installed_launcher_runs_the_real_linker(tmp_path: Path) -> None:
    d = tmp_path / "bin"
    CliRunner().invoke(cli, ["install", str(d)])
    for n, word in (
        ("ld", "GNU ld"),
        ("ld.gold", "GNU gold"),
        ("ld.lld", "LLD"),
        ("ld.mold", "mold"),
        ("mold", "mold"),
    ):
        p = subprocess.run(
            [str(d / n), "--version"],
            capture_output=True,
            text=True,
            env=base_env(PATH=f"{d}:{SYS_PATH}"),
            timeout=60,
        )
        assert p.returncode == 0 and word in p.stdout, (n, p.stderr)


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
    env = base_env(
        PATH=f"{dropins}:{SYS_PATH}",
        LDWRAP_DISABLE="1",
        LDWRAP_LINKER="ld.bfd",
        NIX_DONT_SET_RPATH="1",
    )
    p = ldwrap(["demo"], env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.count(" without ldwrap: fails") == 4
    assert p.stdout.count(" with ldwrap:    runs") == 4


def test_demo_reports_a_program_that_does_not_start(
    fp: FakeProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # pytest-subprocess fakes one thing only: the start of the lld program linked through
    # ldwrap, which fails here as if its RUNPATH were wrong. Every compile and link is real.
    fp.allow_unregistered(True)
    work = tmp_path / "demo"
    work.mkdir()
    monkeypatch.setattr("tempfile.mkdtemp", lambda prefix="": str(work))
    fp.register(
        [str(work / "ldwrap-lld")],
        returncode=127,
        stderr="error while loading shared libraries: libgreet.so.1\n",
    )
    from ldwrap.demo import run_demo

    assert run_demo() == 1
    out = capsys.readouterr().out
    lld = out.split("\nlld   without ldwrap:")[1].split("\n\n")[0]
    assert "with ldwrap:    fails: error while loading shared libraries" in lld
    assert "result: 1 of 4 linkers did not behave as expected" in out
