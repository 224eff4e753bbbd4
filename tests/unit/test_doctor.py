"""doctor's findings from facts laid out in a temporary tree (no rustc, no compiler: those are
in tests/integration/test_doctor_compilers.py and tests/integration/rust/test_doctor.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ldwrap import doctor
from ldwrap.doctor import compilers as doctor_compilers
from ldwrap.launcher import install

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


def _exe(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def test_find_compilers_one_entry_per_program(tmp_path: Path) -> None:
    bin_ = tmp_path / "bin"
    gcc = _exe(bin_ / "gcc-12")
    for name in ("gcc", "cc"):
        (bin_ / name).symlink_to(gcc)
    clang = _exe(tmp_path / "llvm" / "clang")
    for name in ("clang", "clang-14"):
        (bin_ / name).symlink_to(clang)
    _exe(bin_ / "clang-9")  # another clang: its own entry
    _exe(bin_ / "clang-tidy")  # not a compiler
    found = doctor_compilers.find_compilers({"PATH": f"{bin_}:relative:/nonexistent"})
    assert [(c.names, c.kind) for c in found] == [
        (["gcc", "cc", "gcc-12"], "gcc"),
        (["clang", "clang-14"], "clang"),
        (["clang-9"], "clang"),
    ]


def _env(tmp_path: Path, path: str, **extra: str) -> dict[str, str]:
    return {
        "PATH": path,
        "RUSTC": str(tmp_path / "no-rustc"),
        "RUSTUP_HOME": str(tmp_path / "no-rustup"),
        "NIX_STORE": str(tmp_path / "store"),
        "HOME": str(tmp_path),
        # Whether this machine's Nix has build users is not the subject here (see
        # test_doctor_permissions.py): as without them.
        "NIX_CONFIG": "build-users-group =",
        **extra,
    }


@pytest.fixture
def linkers(tmp_path: Path) -> Path:
    """Stand-ins for the real linkers (doctor only looks at them)."""
    d = tmp_path / "sys"
    for name in ("ld", "ld.lld", "ld.mold"):
        _exe(d / name)
    return d


@pytest.fixture
def dropins(tmp_path: Path) -> Path:
    d = tmp_path / "dropins"
    install(str(d))
    return d


@pytest.mark.parametrize(
    ("setting", "problem", "text", "advice"),
    [
        (
            "/nope/ld",
            True,
            "LDWRAP_LINKER=/nope/ld points nowhere (no executable file there)",
            "unset LDWRAP_LINKER, or point it at a linker",
        ),
        (
            "nope-ld",
            True,
            "LDWRAP_LINKER=nope-ld points nowhere (not on PATH)",
            "unset LDWRAP_LINKER, or point it at a linker",
        ),
        (
            "{dropins}/ld.lld",
            True,
            "LDWRAP_LINKER={dropins}/ld.lld is one of ldwrap's own launchers",
            "point it at the real linker",
        ),
        (
            "ld.lld",
            False,
            "LDWRAP_LINKER=ld.lld: every drop-in runs {sys}/ld.lld, whatever -fuse-ld= asked for",
            "unset LDWRAP_LINKER to let -fuse-ld= choose the linker",
        ),
    ],
)
def test_ldwrap_linker_is_one_finding(
    tmp_path: Path,
    linkers: Path,
    dropins: Path,
    setting: str,
    problem: bool,
    text: str,
    advice: str,
) -> None:
    fill = {"dropins": dropins, "sys": linkers}
    env = _env(tmp_path, f"{dropins}:{linkers}", LDWRAP_LINKER=setting.format(**fill))
    report = doctor.diagnose(env, compilers=False)
    about = [f for f in report.findings if "LDWRAP_LINKER" in f.text]
    assert len(about) == 1, report.findings
    assert about[0].problem == problem
    assert about[0].text.startswith(text.format(**fill))
    assert advice in about[0].advice
    assert report.ok == (not problem)


def test_no_dropins_is_a_problem_without_a_wrapped_toolchain(tmp_path: Path, linkers: Path) -> None:
    report = doctor.diagnose(_env(tmp_path, str(linkers)), compilers=False)
    [f] = [f for f in report.findings if "drop-ins" in f.text]
    assert f.problem and "ldwrap install" in f.advice


def _compiler(path: str, kind: str, *choices: tuple[str, str]) -> doctor.Compiler:
    cc = doctor.Compiler(path, [os.path.basename(path)], kind, "x86_64-pc-linux-gnu")
    cc.linkers = [doctor.LinkerChoice(c, p) for c, p in choices]
    return cc


def test_compiler_findings(tmp_path: Path, linkers: Path, dropins: Path) -> None:
    env = _env(tmp_path, f"{dropins}:{linkers}")
    report = doctor.Report(ldwrap_dirs=[str(dropins)])
    own = tmp_path / "gcc-own"
    report.compilers = [
        _compiler(
            "/x/gcc",
            "gcc",
            ("", f"{dropins}/ld"),
            ("lld", f"{linkers}/ld.lld"),
            ("mold", f"{own}/ld.mold"),
        ),
        _compiler("/x/clang", "clang", ("", f"{linkers}/ld"), ("lld", f"{dropins}/ld.lld")),
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


def test_render_shows_each_compiler_and_choice(tmp_path: Path, dropins: Path) -> None:
    cc = _compiler(
        "/usr/bin/clang",
        "clang",
        ("", "/usr/bin/ld"),
        ("lld", f"{dropins}/x86_64-pc-linux-gnu-ld.lld"),
        ("mold", ""),
    )
    cc.names.append("clang-14")
    cc.linkers[1].is_ldwrap, cc.linkers[1].resolves_to = True, "/usr/bin/ld.lld"
    cc.linkers[2].path, cc.linkers[2].note = None, "clang: error: invalid linker name"
    text = doctor.render(
        doctor.Report(compilers=[cc], findings=[doctor.Finding(False, "a note", "a hint")])
    )
    assert (
        "compilers:\n"
        "  clang (/usr/bin/clang; also clang-14) [x86_64-pc-linux-gnu]\n"
        "    default        /usr/bin/ld (not ldwrap)\n"
        f"    -fuse-ld=lld   {dropins}/x86_64-pc-linux-gnu-ld.lld (ldwrap) -> /usr/bin/ld.lld\n"
        "    -fuse-ld=mold  none (clang: error: invalid linker name)\n"
    ) in text
    assert "note: a note\n  hint: a hint\n" in text


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
        _exe(linkers / name)
    extra = {} if compiler_path is None else {"COMPILER_PATH": compiler_path}
    env = _env(tmp_path, f"{dropins}:{linkers}", **extra)
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


def _bundle_findings(report: doctor.Report) -> list[doctor.Finding]:
    return [f for f in report.findings if ".ldwrap-shim.bundle" in f.text]


def test_a_current_bundle_is_no_finding(tmp_path: Path, linkers: Path, dropins: Path) -> None:
    report = doctor.diagnose(_env(tmp_path, f"{dropins}:{linkers}"), compilers=False)
    assert _bundle_findings(report) == []


def test_a_stale_bundle_is_one_note_with_the_fix(
    tmp_path: Path, linkers: Path, dropins: Path
) -> None:
    import marshal

    from ldwrap.bundle import FILE_NAME

    path = dropins / FILE_NAME
    fmt, _, entries = marshal.loads(path.read_bytes())
    path.write_bytes(marshal.dumps((fmt, "another Python", entries)))
    report = doctor.diagnose(_env(tmp_path, f"{dropins}:{linkers}"), compilers=False)
    # One note for the directory, not one per drop-in: links still work, only slower.
    assert _bundle_findings(report) == [
        doctor.Finding(
            False,
            f"{path} was written by another Python or ldwrap: links through {dropins} "
            "import ldwrap the slower way",
            f"run `ldwrap install {dropins}` again",
        )
    ]
