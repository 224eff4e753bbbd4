"""`ldwrap install`: which files it writes (plain drop-ins, the prefixed names of every clang on
PATH, --only, --target), all or nothing, and the advice it ends with.

clang is a stand-in here: a script that prints a triple for `-dumpmachine` (the real clang
links in tests/integration/cli/test_install.py).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ldwrap.bundle import FILE_NAME as BUNDLE_NAME
from ldwrap.cli import cli

NAMES = ("ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold")


def fake_clang(bindir: Path, name: str, triple: str) -> Path:
    bindir.mkdir(parents=True, exist_ok=True)
    p = bindir / name
    p.write_text(f'#!/bin/sh\n[ "$1" = -dumpmachine ] && echo {triple}\n')
    p.chmod(0o755)
    return p


def run(args: list[str], path: Path | str) -> Result:
    return CliRunner().invoke(cli, args, env={"PATH": str(path)})


def listing(d: Path) -> list[str]:
    """The launchers in d (the hot-path bundle beside them is test_bundle's)."""
    return sorted(n for n in os.listdir(d) if n != BUNDLE_NAME)


def test_install_writes_every_drop_in(tmp_path: Path) -> None:
    d = tmp_path / "bin"
    r = run(["install", str(d)], tmp_path / "empty")
    assert r.exit_code == 0, r.output
    assert listing(d) == sorted(NAMES)
    for n in NAMES:
        text = (d / n).read_text()
        assert text.startswith("#!") and "ldwrap-shim" in text
        assert (d / n).stat().st_mode & stat.S_IXUSR


def test_install_is_idempotent(tmp_path: Path) -> None:
    d = tmp_path / "bin"
    assert run(["install", str(d)], tmp_path).exit_code == 0
    first = {n: (d / n).read_text() for n in NAMES}
    r = run(["install", str(d)], tmp_path)
    assert r.exit_code == 0, r.output
    assert {n: (d / n).read_text() for n in NAMES} == first
    assert listing(d) == sorted(NAMES)  # no temporary files left behind


def test_every_clang_on_path_gets_its_prefixed_names(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    fake_clang(tools, "clang-17", "x86_64-pc-linux-gnu")
    (tools / "clang").symlink_to("clang-17")  # the same clang: asked once
    fake_clang(tmp_path / "other", "clang", "aarch64-unknown-linux-gnu")
    for not_a_clang in ("clang++", "clang-format", "clang-cpp-17"):
        fake_clang(tools, not_a_clang, "wrong-triple-here")
    d = tmp_path / "bin"
    r = run(["install", str(d)], f"{tools}:{tmp_path / 'other'}")
    assert r.exit_code == 0, r.output
    want = [
        *NAMES,
        *(f"x86_64-pc-linux-gnu-{n}" for n in NAMES),
        *(f"aarch64-unknown-linux-gnu-{n}" for n in NAMES),
    ]
    assert listing(d) == sorted(want)
    assert r.stdout.splitlines() == [str(d / n) for n in want]


def test_every_cross_compiler_gets_the_names_its_target_can_serve(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    # Stand-ins: a cross gcc and g++ for riscv64 (one target, asked once per file), a
    # prefixed gcc for this machine (not a cross compiler), and names that are no compiler.
    fake_clang(tools, "riscv64-linux-gnu-gcc-12", "riscv64-linux-gnu")
    (tools / "riscv64-linux-gnu-gcc").symlink_to("riscv64-linux-gnu-gcc-12")
    fake_clang(tools, "riscv64-linux-gnu-g++", "riscv64-linux-gnu")
    fake_clang(tools, "x86_64-linux-gnu-gcc-12", "x86_64-linux-gnu")
    for not_a_compiler in ("riscv64-linux-gnu-gcc-ar", "c89-gcc", "riscv64-linux-gnu-cpp"):
        fake_clang(tools, not_a_compiler, "wrong-triple-here")
    # The target's own bfd and gold (ld.bfd missing), and an lld; never run by install.
    for linker in ("riscv64-linux-gnu-ld", "riscv64-linux-gnu-ld.gold", "ld.lld"):
        fake_clang(tools, linker, "")
    d = tmp_path / "bin"
    r = run(["install", str(d)], tools)
    assert r.exit_code == 0, r.output
    served = ("ld", "ld.gold", "ld.lld")
    assert listing(d) == sorted([*NAMES, *(f"riscv64-linux-gnu-{n}" for n in served)])
    assert r.stderr.splitlines()[2:] == [
        f"ldwrap: cross compilers (riscv64-linux-gnu-g++, riscv64-linux-gnu-gcc) take "
        f"their own ld and ld.gold before PATH: export COMPILER_PATH={d} (every gcc and clang "
        f"looks there first, for every target and -fuse-ld=), or pass -B {d}",
        "ldwrap: not written: riscv64-linux-gnu-ld.bfd, riscv64-linux-gnu-ld.mold, "
        "riscv64-linux-gnu-mold (no such linker for riscv64-linux-gnu is installed)",
    ]


def test_a_clang_that_fails_adds_nothing(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "clang").write_text("#!/bin/sh\nexit 1\n")
    (tools / "clang").chmod(0o755)
    d = tmp_path / "bin"
    assert run(["install", str(d)], tools).exit_code == 0
    assert listing(d) == sorted(NAMES)


ONLY = [
    # (--only, the plain names, those also written for riscv64, for which no bfd is installed)
    ("ld.lld", ("ld.lld",), ("ld.lld",)),
    ("ld.lld,ld.mold,mold", ("ld.lld", "ld.mold", "mold"), ("ld.lld", "ld.mold", "mold")),
    (" mold , ld ,mold", ("mold", "ld"), ("mold",)),
]


@pytest.mark.parametrize(("value", "names", "riscv"), ONLY)
def test_only_limits_plain_and_prefixed_names(
    tmp_path: Path, value: str, names: tuple[str, ...], riscv: tuple[str, ...]
) -> None:
    tools = tmp_path / "tools"
    fake_clang(tools, "clang", "x86_64-pc-linux-gnu")
    # Stand-ins for lld and mold, which serve every target: install only looks for them.
    for linker in ("ld.lld", "mold"):
        fake_clang(tools, linker, "")
    d = tmp_path / "bin"
    r = run(["install", "--only", value, "--target", "riscv64-linux-gnu", str(d)], tools)
    assert r.exit_code == 0, r.output
    want = [
        *names,
        *(f"x86_64-pc-linux-gnu-{n}" for n in names),
        *(f"riscv64-linux-gnu-{n}" for n in riscv),
    ]
    assert listing(d) == sorted(want)
    left = [f"riscv64-linux-gnu-{n}" for n in names if n not in riscv]
    notes = [ln for ln in r.stderr.splitlines() if ln.startswith("ldwrap: not written")]
    assert notes == (
        [
            f"ldwrap: not written: {', '.join(left)} (no such linker for riscv64-linux-gnu "
            "is installed)"
        ]
        if left
        else []
    )


@pytest.mark.parametrize("value", ["ld.foo", "ld,lld", "", ","])
def test_only_rejects_unknown_names(tmp_path: Path, value: str) -> None:
    d = tmp_path / "bin"
    r = run(["install", "--only", value, str(d)], tmp_path)
    assert r.exit_code == 2
    assert "ld,ld.bfd,ld.gold,ld.lld,ld.mold,mold" in r.output
    assert not d.exists()


# --- all or nothing ---------------------------------------------------------------------------


def make_foreign(path: Path, kind: str) -> None:
    if kind == "file":
        path.write_text("#!/bin/sh\necho mine\n")
    elif kind == "symlink":
        path.symlink_to("/usr/bin/ld.lld")
    else:
        path.mkdir()


def snapshot(d: Path) -> dict[str, str]:
    out = {}
    for n in listing(d):
        p = d / n
        out[n] = (
            f"-> {os.readlink(p)}" if p.is_symlink() else "dir" if p.is_dir() else p.read_text()
        )
    return out


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_a_foreign_file_stops_the_whole_install(tmp_path: Path, kind: str) -> None:
    fake_clang(tmp_path / "tools", "clang", "x86_64-pc-linux-gnu")
    d = tmp_path / "bin"
    d.mkdir()
    make_foreign(d / "ld.lld", kind)
    make_foreign(d / "x86_64-pc-linux-gnu-ld", kind)
    before = snapshot(d)
    r = run(["install", str(d)], tmp_path / "tools")
    assert r.exit_code == 1
    assert r.output == (
        f"ldwrap: {d}/ld.lld, {d}/x86_64-pc-linux-gnu-ld: not ldwrap "
        "launchers (--force replaces them); nothing written\n"
    )
    assert snapshot(d) == before
    r = run(["install", "--force", str(d)], tmp_path / "tools")
    assert r.exit_code == 0, r.output
    for n in ("ld.lld", "x86_64-pc-linux-gnu-ld"):
        assert not (d / n).is_symlink()
        assert "ldwrap-shim" in (d / n).read_text()


def test_a_directory_stops_the_install_even_with_force(tmp_path: Path) -> None:
    d = tmp_path / "bin"
    d.mkdir()
    (d / "ld.gold").mkdir()
    before = snapshot(d)
    for args in (["install"], ["install", "--force"]):
        r = run([*args, str(d)], tmp_path)
        assert r.exit_code == 1
        assert r.output == f"ldwrap: directories in the way: {d}/ld.gold; nothing written\n"
        assert snapshot(d) == before


def test_one_foreign_file_is_named_alone(tmp_path: Path) -> None:
    d = tmp_path / "bin"
    d.mkdir()
    make_foreign(d / "mold", "file")
    r = run(["install", str(d)], tmp_path)
    assert r.output == (
        f"ldwrap: {d}/mold: not an ldwrap launcher (--force replaces them); nothing written\n"
    )
    assert listing(d) == ["mold"]


def test_install_into_a_file_fails(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    r = run(["install", str(f)], tmp_path)
    assert r.exit_code != 0
    assert f.read_text() == "x"


# --- the advice -------------------------------------------------------------------------------

ADVICE = [
    # (clang on PATH, --only, the two lines after "ldwrap: ")
    (
        True,
        None,
        [
            "put {d} first on PATH: gcc and clang then link through ldwrap",
            "or per command: gcc -B {d}, clang --ld-path={d}/ld.lld",
        ],
    ),
    (
        False,
        None,
        [
            "put {d} first on PATH: gcc then links through ldwrap (no clang on PATH, "
            "so none of its prefixed names was written)",
            "or per command: gcc -B {d}, clang --ld-path={d}/ld.lld",
        ],
    ),
    (
        True,
        "mold,ld.mold",
        [
            "put {d} first on PATH: gcc and clang then link through ldwrap",
            "or per command: gcc -B {d}, clang --ld-path={d}/mold",
        ],
    ),
]


@pytest.mark.parametrize(("clang", "only", "lines"), ADVICE)
def test_the_closing_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clang: bool, only: str | None, lines: list[str]
) -> None:
    if clang:
        fake_clang(tmp_path / "tools", "clang", "x86_64-pc-linux-gnu")
    monkeypatch.chdir(tmp_path)
    r = run(["install", *(["--only", only] if only else []), "bin"], tmp_path / "tools")
    assert r.exit_code == 0, r.output
    d = tmp_path / "bin"  # absolute in the advice, though given relative
    assert r.stderr.splitlines() == [f"ldwrap: {line.format(d=d)}" for line in lines]


AFTER_PATH = [
    # (PATH before the tools, COMPILER_PATH, the lines after "ldwrap: ")
    (
        "{d}",
        None,
        [
            "{d} is first on PATH: gcc and clang link through ldwrap",
            "cross compilers (riscv64-linux-gnu-gcc) take their own ld and ld.gold before PATH: "
            "export COMPILER_PATH={d} (every gcc and clang looks there first, for every target "
            "and -fuse-ld=), or pass -B {d}",
        ],
    ),
    (
        "{t}/../bin",  # the same directory, spelled otherwise
        "/nowhere:{d}",
        [
            "{d} is first on PATH: gcc and clang link through ldwrap",
            "cross compilers (riscv64-linux-gnu-gcc) reach {d} through COMPILER_PATH",
        ],
    ),
    (
        "{t}/../empty:{d}",  # not first
        "rel/bin",  # relative entries are not the directory; kept, after it
        [
            "put {d} first on PATH: gcc and clang then link through ldwrap",
            "or per command: gcc -B {d}, clang --ld-path={d}/ld",
            "cross compilers (riscv64-linux-gnu-gcc) take their own ld and ld.gold before PATH: "
            "export COMPILER_PATH={d}:$COMPILER_PATH (every gcc and clang looks there first, "
            "for every target and -fuse-ld=), or pass -B {d}",
        ],
    ),
]


@pytest.mark.parametrize(("before", "compiler_path", "lines"), AFTER_PATH)
def test_the_advice_says_what_is_already_done(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    before: str,
    compiler_path: str | None,
    lines: list[str],
) -> None:
    tools = tmp_path / "tools"
    fake_clang(tools, "clang", "x86_64-pc-linux-gnu")
    fake_clang(tools, "riscv64-linux-gnu-gcc", "riscv64-linux-gnu")
    fake_clang(tools, "riscv64-linux-gnu-ld", "")  # the target's own bfd; never run
    monkeypatch.chdir(tmp_path)
    d = tmp_path / "bin"
    env = {"PATH": f"{before.format(d=d, t=tools)}:{tools}"}
    if compiler_path is not None:
        env["COMPILER_PATH"] = compiler_path.format(d=d)
    r = CliRunner().invoke(cli, ["install", "--only", "ld", "bin"], env=env)
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines() == [f"ldwrap: {line.format(d=d)}" for line in lines]
