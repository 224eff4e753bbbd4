"""Where ldwrap follows nixpkgs' ld-wrapper exactly: the real links (real linkers, programs
started) for NIX_LDFLAGS, `mold -run` and libraries built for another target. The table cases
are with the modules they exercise: tests/unit/link/rpath/test_nix_ldflags.py,
tests/unit/link/plan/test_pass_through.py and tests/unit/link/rpath/test_target.py."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers import (
    BuiltStore,
    base_env,
    compile_c,
    make_store,
    read_runpath,
    run_program,
)
from ldwrap.link.linkers import CHAIN_VAR

SALT = "x86_64_unknown_linux_gnu"
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"


# --- real links ---------------------------------------------------------------------------


def test_direct_ld_link_inside_nix_ldflags_starts(
    dropins: Path, tmp_path: Path, store: BuiltStore
) -> None:
    """`ld` called directly in a nix-shell whose NIX_LDFLAGS names the library directory."""
    main_o = compile_c(
        "int foo_value(void);\nint main(void){return foo_value() - 42;}\n",
        tmp_path / "main.o",
        "-c",
        "-fPIC",
    )
    app = tmp_path / "app"
    crt = subprocess.run(
        ["gcc", "-print-file-name=crt1.o"], capture_output=True, text=True, check=True
    ).stdout.strip()
    crtdir = os.path.dirname(crt)
    cmd = [
        str(dropins / "ld"),
        "-dynamic-linker",
        "/lib64/ld-linux-x86-64.so.2",
        "-o",
        str(app),
        f"{crtdir}/crt1.o",
        f"{crtdir}/crti.o",
        str(main_o),
        "-lfoo",
        LIBC,
        f"{crtdir}/crtn.o",
    ]
    env = base_env(NIX_STORE=str(store.root), NIX_LDFLAGS=f"-L{store.foo}")
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert read_runpath(app) == [str(store.foo)]
    assert run_program(app).returncode == 0
    # The same link without ldwrap's rpath: the program cannot find libfoo.
    bare = tmp_path / "bare"
    cmd[cmd.index("-o") + 1] = str(bare)
    r = subprocess.run(cmd, env={**env, "LDWRAP_DISABLE": "1"}, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    failed = run_program(bare)
    assert failed.returncode != 0 and "libfoo.so.1" in failed.stderr


def _mold_env(store: BuiltStore, **extra: str) -> dict[str, str]:
    return base_env(NIX_STORE=str(store.root), **extra)


def test_mold_run_with_a_compiler_inside(dropins: Path, tmp_path: Path, store: BuiltStore) -> None:
    # Before: ldwrap appended `-rpath DIR` to gcc's argv, and gcc refused it.
    src = tmp_path / "main.c"
    src.write_text("int foo_value(void);\nint main(void){return foo_value() - 42;}\n")
    app = tmp_path / "app"
    r = subprocess.run(
        [
            str(dropins / "mold"),
            "-run",
            "gcc",
            f"-B{dropins}",
            "-fuse-ld=mold",
            "-o",
            str(app),
            str(src),
            f"-L{store.foo}",
            "-lfoo",
        ],
        env=_mold_env(store),
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    # The link inside went through the ld.mold drop-in, which mold's preload does not
    # redirect, and got its rpath: the guard did not leak into it.
    assert read_runpath(app) == [str(store.foo)]
    assert run_program(app).returncode == 0


def test_mold_run_echo_prints_its_arguments_unchanged(dropins: Path, store: BuiltStore) -> None:
    r = subprocess.run(
        [str(dropins / "mold"), "-run", "echo", f"-L{store.foo}", "-lfoo"],
        env=_mold_env(store),
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"-L{store.foo} -lfoo\n"


def test_mold_run_leaks_no_recursion_guard(dropins: Path, store: BuiltStore) -> None:
    r = subprocess.run(
        [str(dropins / "mold"), "-run", "sh", "-c", f'echo "[${CHAIN_VAR}]"'],
        env=_mold_env(store),
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == "[]\n"


def test_mold_incompatible_libs_program_starts(dropins: Path, tmp_path: Path) -> None:
    """mold's x86_64_incompatible-libs: a script and a 32-bit libfoo.so before the right one."""
    st = make_store(tmp_path)
    script, lib32, lib64 = st.libdir("script"), st.libdir("lib32"), st.libdir("lib64")
    (script / "libfoo.so").write_text("OUTPUT_FORMAT(elf32-i386)\n")
    src = "int foo_value(void) { return 42; }\n"
    compile_c(src, lib32 / "libfoo.so", "-shared", "-fPIC", "-m32")
    compile_c(src, lib64 / "libfoo.so", "-shared", "-fPIC")
    main = tmp_path / "main.c"
    main.write_text("int foo_value(void);\nint main(void){return foo_value() - 42;}\n")
    # bfd and mold skip both wrong candidates (lld 14 takes the script and fails the link).
    for linker in ("bfd", "mold"):
        app = tmp_path / f"app-{linker}"
        r = subprocess.run(
            [
                "gcc",
                f"-B{dropins}",
                f"-fuse-ld={linker}",
                "-o",
                str(app),
                str(main),
                f"-L{script}",
                f"-L{lib32}",
                f"-L{lib64}",
                "-lfoo",
            ],
            env=base_env(NIX_STORE=str(st.root)),
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, (linker, r.stderr)
        assert read_runpath(app) == [str(lib64)], linker
        assert run_program(app).returncode == 0, linker
