"""What each C compiler runs, as doctor probes and judges it, from facts laid out in a temporary
tree (the real compilers are in tests/integration/doctor/test_compilers.py and
tests/integration/rust/test_doctor.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ldwrap import doctor
from ldwrap.doctor import compilers as doctor_compilers

from .conftest import compiler, doctor_env, exe

GCC_OUTPUT = """\
collect2 version 12.2.0
{path} -plugin /usr/lib/gcc/x86_64-linux-gnu/12/liblto_plugin.so --build-id -m elf_x86_64 \
-v --version probe.o -lgcc -lc
GNU ld (GNU Binutils for Debian) 2.40
"""
CLANG_OUTPUT = """\
Debian clang version 14.0.6
Target: x86_64-pc-linux-gnu
Thread model: posix
InstalledDir: /usr/bin
 "{path}" "-pie" "--hash-style=both" "-o" "a.out" "probe.o" "-lc"
"""


@pytest.mark.parametrize(
    ("kind", "output", "path", "triple", "note"),
    [
        ("gcc", GCC_OUTPUT.format(path="/usr/bin/ld"), "/usr/bin/ld", "", ""),
        ("gcc", GCC_OUTPUT.format(path="/d/ld.mold"), "/d/ld.mold", "", ""),
        (
            "gcc",
            "collect2 version 12.2.0\n[cannot find ld] -plugin x.so probe.o\n"
            "collect2: fatal error: cannot find 'ld'\n",
            None,
            "",
            "collect2: fatal error: cannot find 'ld'",
        ),
        (
            "gcc",
            "gcc: error: unrecognized command-line option '-fuse-ld=mold'\n",
            None,
            "",
            "gcc: error: unrecognized command-line option '-fuse-ld=mold'",
        ),
        (
            "clang",
            CLANG_OUTPUT.format(path="/d/x86_64-pc-linux-gnu-ld.lld"),
            "/d/x86_64-pc-linux-gnu-ld.lld",
            "x86_64-pc-linux-gnu",
            "",
        ),
        (
            "clang",
            CLANG_OUTPUT.format(path="/usr/bin/ld"),
            "/usr/bin/ld",
            "x86_64-pc-linux-gnu",
            "",
        ),
        (
            "clang",
            "clang: error: invalid linker name in argument '-fuse-ld=mold'\n",
            None,
            "",
            "clang: error: invalid linker name in argument '-fuse-ld=mold'",
        ),
        ("clang", "", None, "", "cc finds no ld.mold"),
    ],
)
def test_parse_probe(kind: str, output: str, path: str | None, triple: str, note: str) -> None:
    cc = doctor.Compiler("/usr/bin/cc", ["cc"], kind)
    lc = doctor.LinkerChoice("mold")
    doctor_compilers.parse_probe(cc, lc, output)
    assert (lc.path, cc.triple, lc.note) == (path, triple, note)


def test_find_compilers_one_entry_per_program(tmp_path: Path) -> None:
    bin_ = tmp_path / "bin"
    gcc = exe(bin_ / "gcc-12")
    for name in ("gcc", "cc"):
        (bin_ / name).symlink_to(gcc)
    clang = exe(tmp_path / "llvm" / "clang")
    for name in ("clang", "clang-14"):
        (bin_ / name).symlink_to(clang)
    exe(bin_ / "clang-9")  # another clang: its own entry
    exe(bin_ / "clang-tidy")  # not a compiler
    found = doctor_compilers.find_compilers({"PATH": f"{bin_}:relative:/nonexistent"})
    assert [(c.names, c.kind) for c in found] == [
        (["gcc", "cc", "gcc-12"], "gcc"),
        (["clang", "clang-14"], "clang"),
        (["clang-9"], "clang"),
    ]


def test_compiler_findings(tmp_path: Path, linkers: Path, dropins: Path) -> None:
    env = doctor_env(tmp_path, f"{dropins}:{linkers}")
    report = doctor.Report(ldwrap_dirs=[str(dropins)])
    own = tmp_path / "gcc-own"
    report.compilers = [
        compiler(
            "/x/gcc",
            "gcc",
            ("", f"{dropins}/ld"),
            ("lld", f"{linkers}/ld.lld"),
            ("mold", f"{own}/ld.mold"),
        ),
        compiler("/x/clang", "clang", ("", f"{linkers}/ld"), ("lld", f"{dropins}/ld.lld")),
    ]
    for cc in report.compilers:
        for lc in cc.linkers:
            doctor_compilers.describe(lc, env)
    found = doctor_compilers.compiler_findings(report, env, set())
    assert [(f.text, f.advice) for f in found] == [
        (
            f"gcc runs {linkers}/ld.lld (-fuse-ld=lld), not ldwrap",
            f"put {dropins} before {linkers} on PATH, or pass -B{dropins} to gcc",
        ),
        (
            f"gcc runs {own}/ld.mold (-fuse-ld=mold), not ldwrap",
            f"pass -B{dropins} to gcc: it finds {own}'s linkers before PATH",
        ),
        (
            f"clang runs {linkers}/ld (default), not ldwrap",
            f"run `ldwrap install --target x86_64-pc-linux-gnu {dropins}` (it writes "
            "x86_64-pc-linux-gnu-ld, which clang takes before its own) with "
            f"{dropins} first on PATH, or pass --ld-path={dropins}/ld",
        ),
    ]
    # A path the PATH checks already flagged is not repeated for gcc.
    flagged = {f"{linkers}/ld.lld"}
    assert len(doctor_compilers.compiler_findings(report, env, flagged)) == 2
    # Without any drop-in on PATH, the one finding about that says it.
    report.ldwrap_dirs = []
    assert doctor_compilers.compiler_findings(report, env, set()) == []


@pytest.mark.parametrize(
    ("compiler_path", "export"),
    [
        (None, "{d}"),
        ("", "{d}"),
        ("/other/bin", "{d}:$COMPILER_PATH"),  # another directory the user keeps there
    ],
)
def test_cross_compiler_findings_and_what_its_dropins_run(
    tmp_path: Path, linkers: Path, dropins: Path, compiler_path: str | None, export: str
) -> None:
    # Stand-ins for the aarch64 binutils on PATH (doctor only looks at them).
    for name in ("aarch64-linux-gnu-ld", "aarch64-linux-gnu-ld.gold"):
        exe(linkers / name)
    extra = {} if compiler_path is None else {"COMPILER_PATH": compiler_path}
    env = doctor_env(tmp_path, f"{dropins}:{linkers}", **extra)
    report = doctor.Report(ldwrap_dirs=[str(dropins)])
    own = "/usr/aarch64-linux-gnu/bin"
    gcc = doctor.Compiler("/x/aarch64-linux-gnu-gcc", ["aarch64-linux-gnu-gcc"], "gcc")
    gcc.triple, gcc.cross = "aarch64-linux-gnu", True
    gcc.linkers = [
        doctor.LinkerChoice("", f"{own}/ld"),
        doctor.LinkerChoice("gold", f"{dropins}/ld.gold"),
        doctor.LinkerChoice("lld", None, note="collect2: fatal error: cannot find 'ld'"),
        doctor.LinkerChoice("mold", f"{dropins}/ld.mold"),
    ]
    report.compilers = [gcc]
    for lc in gcc.linkers:
        doctor_compilers.describe(lc, env, gcc.triple)
    # A plain gold drop-in reached by the cross gcc runs aarch64's gold; mold serves all.
    assert [(lc.is_ldwrap, lc.resolves_to) for lc in gcc.linkers] == [
        (False, ""),
        (True, f"{linkers}/aarch64-linux-gnu-ld.gold"),
        (False, ""),
        (True, f"{linkers}/ld.mold"),
    ]
    fix = (
        f"export COMPILER_PATH={export.format(d=dropins)} (gcc and clang look there before "
        f"their own directories, for every target), or pass -B{dropins} to aarch64-linux-gnu-gcc"
    )
    found = doctor_compilers.compiler_findings(report, env, set())
    assert [(f.problem, f.text, f.advice) for f in found] == [
        (
            True,
            f"aarch64-linux-gnu-gcc runs {own}/ld (default), nothing (-fuse-ld=lld: "
            "collect2: fatal error: cannot find 'ld'), not ldwrap",
            fix,
        )
    ]
    assert "  aarch64-linux-gnu-gcc (/x/aarch64-linux-gnu-gcc) [aarch64-linux-gnu, cross]\n" in (
        doctor.render(report)
    )
