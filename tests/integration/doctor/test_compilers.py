"""`ldwrap doctor` asks the real gcc and clang which linker they run, for each PATH layout a
user may have; then the fixes it gives are followed and shown to work with a real link."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import BuiltStore, base_env, read_runpath
from ldwrap import doctor
from ldwrap.doctor import compilers as doctor_compilers

SYSTEM = "/usr/bin:/bin"
CHOICES = ("", "lld", "mold")


def _env(tmp_path: Path, path: str) -> dict[str, str]:
    # No rustc here: the compilers are the subject (tests/integration/rust has the rest).
    return base_env(
        PATH=path,
        RUSTC=str(tmp_path / "no-rustc"),
        RUSTUP_HOME=str(tmp_path / "no-rustup"),
        NIX_STORE=str(tmp_path / "store"),
        # Whether this machine's Nix has build users is not the subject here (see
        # tests/unit/doctor/test_permissions.py): as without them.
        NIX_CONFIG="build-users-group =",
    )


def _by_kind(report: doctor.Report) -> dict[str, doctor.Compiler]:
    kinds: dict[str, doctor.Compiler] = {}
    for cc in report.compilers:
        kinds.setdefault(cc.kind, cc)
    assert set(kinds) == {"gcc", "clang"}, "gcc and clang must both be installed"
    return kinds


@pytest.mark.parametrize(
    ("layout", "gcc_ldwrap", "clang_ldwrap", "compiler_problems"),
    [
        # Plain drop-ins first: gcc (collect2) takes them from PATH; clang takes its own
        # directory's linkers first.
        ("plain first", True, False, ["clang"]),
        # The drop-ins under clang's target prefix too: both compilers reach ldwrap.
        ("targets first", True, True, []),
        # The system's linkers first: the PATH findings say it for gcc; clang gets its own.
        ("system first", False, False, ["clang"]),
        # No drop-ins at all: one finding says that, none per compiler.
        ("none", False, False, []),
    ],
)
def test_each_compiler_and_choice(
    tmp_path: Path,
    dropins: Path,
    with_targets: Path,
    triple: str,
    layout: str,
    gcc_ldwrap: bool,
    clang_ldwrap: bool,
    compiler_problems: list[str],
) -> None:
    path = {
        "plain first": f"{dropins}:{SYSTEM}",
        "targets first": f"{with_targets}:{SYSTEM}",
        "system first": f"{SYSTEM}:{dropins}",
        "none": SYSTEM,
    }[layout]
    report = doctor.diagnose(_env(tmp_path, path))
    kinds = _by_kind(report)
    for kind, expected in (("gcc", gcc_ldwrap), ("clang", clang_ldwrap)):
        cc = kinds[kind]
        assert [lc.choice for lc in cc.linkers] == list(CHOICES)
        for lc in cc.linkers:
            assert lc.path is not None, (cc.name, lc.option, lc.note)
            assert lc.is_ldwrap == expected, (cc.name, lc.option, lc.path)
            if expected:
                assert lc.resolves_to == f"/usr/bin/{lc.linker_name}"
    assert kinds["clang"].triple == triple
    # The cross compilers on PATH have their own tests (tests/integration/cross/).
    cross = {cc.name for cc in report.compilers if cc.cross}
    findings = [f for f in report.findings if f.text.split()[0] not in cross]
    about = [f for f in findings if " runs " in f.text and "not ldwrap" in f.text]
    assert [f.text.split()[0] for f in about] == [kinds[k].name for k in compiler_problems]
    if layout == "plain first":
        [f] = about
        assert f.problem
        assert f.text == (
            f"{kinds['clang'].name} runs /usr/bin/ld (default), /usr/bin/ld.lld "
            "(-fuse-ld=lld), /usr/bin/ld.mold (-fuse-ld=mold), not ldwrap"
        )
        assert f.advice.startswith(
            f"run `ldwrap install --target {triple} {dropins}` (it writes {triple}-ld and the like"
        )
        assert f"--ld-path={dropins}/NAME (NAME: ld, ld.lld, ld.mold)" in f.advice
    if layout == "targets first":
        assert not any(f.problem for f in findings), doctor.render(report)


def test_the_report_as_printed(tmp_path: Path, dropins: Path, triple: str) -> None:
    p = subprocess.run(
        [sys.executable, "-m", "ldwrap", "doctor"],
        env=_env(tmp_path, f"{dropins}:{SYSTEM}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    gcc = next(i for i, ln in enumerate(lines) if ln.startswith("  gcc ("))
    assert lines[gcc + 1 : gcc + 4] == [
        f"    default        {dropins}/ld (ldwrap) -> /usr/bin/ld",
        f"    -fuse-ld=lld   {dropins}/ld.lld (ldwrap) -> /usr/bin/ld.lld",
        f"    -fuse-ld=mold  {dropins}/ld.mold (ldwrap) -> /usr/bin/ld.mold",
    ]
    clang = next(i for i, ln in enumerate(lines) if ln.startswith("  clang ("))
    assert lines[clang].endswith(f"[{triple}]")
    assert lines[clang + 2] == "    -fuse-ld=lld   /usr/bin/ld.lld (not ldwrap)"
    assert any(ln.startswith("problem: clang runs /usr/bin/ld (default)") for ln in lines)


def test_gcc_own_directory_before_path_gets_the_b_fix(tmp_path: Path, dropins: Path) -> None:
    """A linker in gcc's own program directory (-B, as a cross or Nix gcc has) beats PATH."""
    own = tmp_path / "own"
    own.mkdir()
    (own / "ld.lld").symlink_to("/usr/bin/ld.lld")
    gcc = doctor.Compiler("/usr/bin/gcc", ["gcc"], "gcc")
    report = doctor.Report(ldwrap_dirs=[str(dropins)], compilers=[gcc])
    env = _env(tmp_path, f"{dropins}:{SYSTEM}")
    # What gcc -B<own> runs, asked the way doctor asks.
    gcc.path = str(tmp_path / "gcc-b")
    Path(gcc.path).write_text(f'#!/bin/sh\nexec /usr/bin/gcc -B{own}/ "$@"\n')
    Path(gcc.path).chmod(0o755)
    doctor_compilers.probe_compilers([gcc], env)
    assert [lc.path for lc in gcc.linkers] == [
        f"{dropins}/ld",
        f"{own}/ld.lld",
        f"{dropins}/ld.mold",
    ]
    [f] = doctor_compilers.compiler_findings(report, env, set())
    assert f.text == f"gcc runs {own}/ld.lld (-fuse-ld=lld), not ldwrap"
    assert f.advice == f"pass -B{dropins} to gcc: it finds {own}'s linkers before PATH"


@pytest.mark.parametrize("how", ["install --target", "--ld-path"])
@pytest.mark.parametrize("choice", CHOICES)
def test_following_the_clang_fix_gives_the_rpath(
    tmp_path: Path,
    store: BuiltStore,
    dropins: Path,
    with_targets: Path,
    how: str,
    choice: str,
) -> None:
    """Both fixes doctor names for clang make a real clang link go through the shim."""
    fuse = [f"-fuse-ld={choice}"] if choice else []
    name = f"ld.{choice}" if choice else "ld"
    if how == "--ld-path":
        path, extra = f"{dropins}:{SYSTEM}", [f"--ld-path={dropins}/{name}"]
    else:
        path, extra = f"{with_targets}:{SYSTEM}", []
    src = tmp_path / "main.c"
    src.write_text("int foo_value(void);\nint main(void) { return foo_value(); }\n")
    out = tmp_path / "app"
    env = base_env(PATH=path, NIX_STORE=str(store.root))
    subprocess.run(
        ["clang", *fuse, *extra, "-o", str(out), str(src), f"-L{store.foo}", "-lfoo"],
        env=env,
        check=True,
        timeout=120,
    )
    runpath = read_runpath(out)
    assert runpath is not None and str(store.foo) in runpath
