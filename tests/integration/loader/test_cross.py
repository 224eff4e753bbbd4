"""`check` and LDWRAP_VERIFY on real aarch64 programs (aarch64-linux-gnu-gcc) on an x86_64
machine. Without --root they are not judged by this machine's directories; with --root the
answer is compared with what the aarch64 loader really loads under qemu-user
(`qemu-aarch64 -E LD_TRACE_LOADED_OBJECTS=1 -L ROOT`), in Debian's cross root
/usr/aarch64-linux-gnu and in a root of the test's own. An i386 program is this machine's own
(multilib) and is judged as before."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import base_env, run_program
from helpers.lddparse import parse_ldd
from ldwrap.cli.check import check

SYSROOT = "/usr/aarch64-linux-gnu"
MAIN_C = (
    "#include <stdio.h>\n#include <math.h>\n"
    'int main(int c, char **v) { printf("%.3f\\n", sqrt((double)c)); return 0; }\n'
)
MAIN_CC = '#include <iostream>\nint main() { std::cout << "hello" << std::endl; }\n'
OWN_MAIN_C = '#include <stdio.h>\nint own(void);\nint main(void) { printf("own %d\\n", own()); }\n'


def cross(tmp: Path, out: Path, source: str, *flags: str, cxx: bool = False) -> Path:
    src = tmp / (out.name + (".cc" if cxx else ".c"))
    src.write_text(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    cc = "aarch64-linux-gnu-g++" if cxx else "aarch64-linux-gnu-gcc"
    subprocess.run([cc, "-o", str(out), str(src), *flags], check=True, env=base_env())
    return out


def qemu(root: str | Path, exe: Path, *env: str) -> subprocess.CompletedProcess[str]:
    extra = [a for e in env for a in ("-E", e)]
    return subprocess.run(
        ["qemu-aarch64", *extra, "-L", str(root), str(exe)],
        capture_output=True,
        text=True,
        env=base_env(),
        timeout=60,
    )


def on_host(root: str | Path, path: str) -> str:
    """The file an aarch64 path names under qemu -L root: root's, else the host's."""
    inside = f"{root}{path}"
    return os.path.realpath(inside if os.path.lexists(inside) else path)


def traced(root: str | Path, exe: Path) -> dict[str, str]:
    """name -> the file the aarch64 loader really loads, from its own trace under qemu."""
    proc = qemu(root, exe, "LD_TRACE_LOADED_OBJECTS=1")
    assert proc.returncode == 0, proc.stderr
    pairs = parse_ldd(proc.stdout)
    assert pairs
    return {name: on_host(root, path) for name, path in pairs if path is not None}


def checked(root: str | Path, exe: str) -> dict[str, str]:
    """name -> the file `check --root` says is loaded (the interpreter under its own path)."""
    res = CliRunner().invoke(check, ["--json", "--root", str(root), exe])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)[0]
    assert doc["ok"] is True
    return {
        lib["name"]: os.path.realpath(f"{root}{lib['path']}")
        for lib in doc["libraries"]
        if lib["loaded"]
    }


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("aarch64")
    return {
        "c": cross(tmp, tmp / "app", MAIN_C, "-lm"),
        "c++": cross(tmp, tmp / "appxx", MAIN_CC, cxx=True),
    }


@pytest.mark.parametrize("kind", ["c", "c++"])
def test_without_root_check_says_it_cannot_judge(programs: dict[str, Path], kind: str) -> None:
    app = programs[kind]
    res = CliRunner().invoke(check, [str(app)])
    assert res.exit_code == 2
    assert (res.stdout, res.stderr) == (
        "",
        f"ldwrap check: error: {app}: built for aarch64-linux-gnu, not this machine (x86_64): "
        f"cannot judge it without --root SYSROOT (here: --root {SYSROOT})\n",
    )


@pytest.mark.parametrize("kind", ["c", "c++"])
def test_with_the_cross_root_a_host_path_resolves_as_qemu_loads(
    programs: dict[str, Path], kind: str
) -> None:
    app = programs[kind]
    assert qemu(SYSROOT, app).returncode == 0
    real = traced(SYSROOT, app)
    assert checked(SYSROOT, str(app)) == real
    expected = {"libc.so.6", "/lib/ld-linux-aarch64.so.1"}
    expected |= {"libm.so.6"} if kind == "c" else {"libstdc++.so.6", "libm.so.6", "libgcc_s.so.1"}
    assert set(real) == expected
    assert all(p.startswith(SYSROOT + "/") for p in real.values())
    res = CliRunner().invoke(check, ["--root", SYSROOT, str(app)])
    assert res.exit_code == 0
    assert res.stdout.splitlines()[:3] == [
        str(app),
        "    /lib/ld-linux-aarch64.so.1 [interpreter]",
        f"    {'libm.so.6' if kind == 'c' else 'libstdc++.so.6'} => "
        f"/lib/{'libm.so.6' if kind == 'c' else 'libstdc++.so.6'} [default dir]",
    ]


def test_a_root_of_its_own_matches_qemu(tmp_path: Path) -> None:
    """A root with Debian's multiarch directory (usr/lib/aarch64-linux-gnu), a program with
    a library of its own found through RUNPATH $ORIGIN/../lib, and an x86_64 file of a
    needed name in that directory, which the loader skips."""
    root = tmp_path / "root"
    (root / "lib").mkdir(parents=True)
    shutil.copy(f"{SYSROOT}/lib/ld-linux-aarch64.so.1", root / "lib")
    multiarch = root / "usr/lib/aarch64-linux-gnu"
    multiarch.mkdir(parents=True)
    for name in ("libc.so.6", "libm.so.6"):
        shutil.copy(f"{SYSROOT}/lib/{name}", multiarch)
    own = cross(tmp_path, root / "opt/x/lib/libown.so", "int own(void) { return 42; }\n", "-shared")
    shutil.copy("/lib/x86_64-linux-gnu/libm.so.6", own.parent / "libm.so.6")  # wrong machine
    app = cross(
        tmp_path,
        root / "opt/x/bin/app",
        OWN_MAIN_C,
        "-Wl,--no-as-needed",
        f"-L{own.parent}",
        "-lown",
        "-lm",
        "-Wl,-rpath,$ORIGIN/../lib",
    )
    run = qemu(root, app)
    assert (run.returncode, run.stdout) == (0, "own 42\n")
    real = traced(root, app)
    assert real["libown.so"] == str(own)
    assert real["libm.so.6"] == str(multiarch / "libm.so.6")
    assert checked(root, "/opt/x/bin/app") == real  # a path inside the root
    assert checked(root, str(app)) == real  # the same file by its host path
    text = CliRunner().invoke(check, ["--root", str(root), "/opt/x/bin/app"]).stdout
    assert text.splitlines()[2:] == [
        "    libown.so => /opt/x/bin/../lib/libown.so [runpath]",
        "    libm.so.6 => /usr/lib/aarch64-linux-gnu/libm.so.6 [default dir]",
        "    libc.so.6 => /usr/lib/aarch64-linux-gnu/libc.so.6 [default dir]",
    ]


def test_a_library_only_on_this_machine_is_named_with_its_rpath(tmp_path: Path) -> None:
    """A program linked here with an rpath to a library built here: qemu -L falls back to this
    machine's files and starts it, but the --root system does not have the library. The fix
    line says the rpath is right and where the library must go, not to relink."""
    own = cross(tmp_path, tmp_path / "p/lib/libown.so", "int own(void) { return 42; }\n", "-shared")
    lib = own.parent
    app = cross(
        tmp_path, tmp_path / "p/bin/app", OWN_MAIN_C, f"-L{lib}", "-lown", f"-Wl,-rpath,{lib}"
    )
    run = qemu(SYSROOT, app)
    assert (run.returncode, run.stdout) == (0, "own 42\n")
    res = CliRunner().invoke(check, ["--root", SYSROOT, str(app)])
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        str(app),
        "    /lib/ld-linux-aarch64.so.1 [interpreter]",
        "    libown.so => not found",
        f"        searched: RUNPATH ({lib}), /lib, /usr/lib",
        f"        fix: libown.so is in {lib} on this machine, not in the --root system; the rpath "
        f"is right: install libown.so at {lib} there (qemu-user -L falls back to this machine's "
        "files)",
        "    libc.so.6 => /lib/libc.so.6 [default dir]",
    ]
    doc = json.loads(CliRunner().invoke(check, ["--json", "--root", SYSROOT, str(app)]).stdout)
    fixes = {(e["name"], e["fix_dir"]) for e in doc[0]["libraries"]}
    assert ("libown.so", str(lib)) in fixes
    assert {d for _, d in fixes} == {None, str(lib)}


def test_an_i386_program_is_judged_as_this_machines_own(tmp_path: Path) -> None:
    src = tmp_path / "m.c"
    src.write_text("int main(void) { return 0; }\n")
    app = tmp_path / "app32"
    subprocess.run(["gcc", "-m32", "-o", str(app), str(src)], check=True, env=base_env())
    assert run_program(app).returncode == 0
    res = CliRunner().invoke(check, ["--json", str(app)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)[0]
    libc = next(x for x in doc["libraries"] if x["name"] == "libc.so.6")
    assert doc["interpreter"] == "/lib/ld-linux.so.2"
    assert os.path.realpath(libc["path"]) == os.path.realpath("/lib32/libc.so.6")


@pytest.mark.parametrize("debug", [False, True])
def test_verify_error_keeps_a_cross_linked_output(
    tmp_path: Path, dropins: Path, debug: bool
) -> None:
    """A cross link through the drop-ins with LDWRAP_VERIFY=error: the output is another
    machine's, not judged, and kept; LDWRAP_DEBUG says why it was not checked."""
    src = tmp_path / "m.c"
    src.write_text(MAIN_C)
    out = tmp_path / "app"
    env = base_env(LDWRAP_VERIFY="error", LDWRAP_LINKER="/usr/bin/aarch64-linux-gnu-ld")
    if debug:
        env["LDWRAP_DEBUG"] = "1"
    proc = subprocess.run(
        ["aarch64-linux-gnu-gcc", f"-B{dropins}", str(src), "-lm", "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    note = (
        f"ldwrap: note: {out}: not checked: built for aarch64-linux-gnu, not this machine "
        "(x86_64); `ldwrap check --root SYSROOT` judges it"
    )
    assert [line for line in proc.stderr.splitlines() if "not checked" in line] == (
        [note] if debug else []
    )
    assert qemu(SYSROOT, out).stdout == "1.000\n"
