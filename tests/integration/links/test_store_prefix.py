"""Real links through the shim, with the real compilers and linkers.

Each test links a program against libraries in a store-like prefix (`NIX_STORE` points at
it), then checks three things: the program starts without LD_LIBRARY_PATH, its RUNPATH (read
with pyelftools) holds exactly the store directories it uses, and, for every way in, the same
link without the shim gives a program that does not start (so the test can tell).

Needs gcc, clang, binutils (ld.bfd, ld.gold), lld and mold (Debian: gcc clang binutils lld
mold).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import (
    BuiltStore,
    base_env,
    compile_c,
    read_needed,
    read_runpath,
    run_program,
    which_linker,
)

SYS_PATH = "/usr/local/bin:/usr/bin:/bin"
LINKERS = ("bfd", "gold", "lld", "mold")

MAIN_FOO = (
    "#include <stdio.h>\nint foo_value(void);\n"
    'int main(void) { printf("runs %d\\n", foo_value()); return 0; }\n'
)
MAIN_FOOBAR = (
    "#include <stdio.h>\nint foo_value(void);\nint bar_value(void);\n"
    'int main(void) { printf("runs %d\\n", foo_value() + bar_value()); return 0; }\n'
)
MAIN_STA = (
    "#include <stdio.h>\nint sta_value(void);\n"
    'int main(void) { printf("runs %d\\n", sta_value()); return 0; }\n'
)


class Objects:
    foo: Path
    foobar: Path
    sta: Path


@pytest.fixture(scope="session")
def objs(tmp_path_factory: pytest.TempPathFactory) -> Objects:
    d = tmp_path_factory.mktemp("objs")
    o = Objects()
    o.foo = compile_c(MAIN_FOO, d / "foo.o", "-c", "-fPIE")
    o.foobar = compile_c(MAIN_FOOBAR, d / "foobar.o", "-c", "-fPIE")
    o.sta = compile_c(MAIN_STA, d / "sta.o", "-c", "-fPIE")
    return o


def link(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)
    assert p.returncode == 0, f"{cmd}\n{p.stderr}"


def assert_runs(prog: Path, linker: str | None = None) -> None:
    if linker is not None:
        assert which_linker(prog) == linker
    p = run_program(prog)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("runs ")


def assert_does_not_start(prog: Path, missing: str = "libfoo.so.1") -> None:
    p = run_program(prog)
    assert p.returncode == 127
    assert f"{missing}: cannot open shared object file" in p.stderr


# --- every way in, with and without the shim -----------------------------------------------

# name -> function(dropins, shim?) -> (compiler command prefix, PATH)
Way = Callable[[Path, bool], tuple[list[str], str]]

WAYS: dict[str, Way] = {
    "gcc via PATH (bfd)": lambda d, s: (["gcc"], f"{d}:{SYS_PATH}" if s else SYS_PATH),
    "gcc -B": lambda d, s: (["gcc", f"-B{d}"] if s else ["gcc"], SYS_PATH),
    "gcc -fuse-ld=lld via PATH": lambda d, s: (
        ["gcc", "-fuse-ld=lld"],
        f"{d}:{SYS_PATH}" if s else SYS_PATH,
    ),
    "gcc -fuse-ld=mold via PATH": lambda d, s: (
        ["gcc", "-fuse-ld=mold"],
        f"{d}:{SYS_PATH}" if s else SYS_PATH,
    ),
    "gcc -fuse-ld=gold via PATH": lambda d, s: (
        ["gcc", "-fuse-ld=gold"],
        f"{d}:{SYS_PATH}" if s else SYS_PATH,
    ),
    "gcc -B -fuse-ld=lld": lambda d, s: (
        ["gcc", f"-B{d}", "-fuse-ld=lld"] if s else ["gcc", "-fuse-ld=lld"],
        SYS_PATH,
    ),
    "clang --ld-path": lambda d, s: (
        ["clang", f"--ld-path={d if s else '/usr/bin'}/ld.lld"],
        SYS_PATH,
    ),
    "clang -fuse-ld=/abs/ld.lld": lambda d, s: (
        ["clang", f"-fuse-ld={d if s else '/usr/bin'}/ld.lld"],
        SYS_PATH,
    ),
    "clang -B -fuse-ld=lld": lambda d, s: (
        ["clang", f"-B{d}", "-fuse-ld=lld"] if s else ["clang", "-fuse-ld=lld"],
        SYS_PATH,
    ),
    "clang -B (ld)": lambda d, s: (["clang", f"-B{d}"] if s else ["clang"], SYS_PATH),
}


# The linker each way ends in.
WAY_LINKER = {
    "gcc via PATH (bfd)": "bfd",
    "gcc -B": "bfd",
    "gcc -fuse-ld=lld via PATH": "lld",
    "gcc -fuse-ld=mold via PATH": "mold",
    "gcc -fuse-ld=gold via PATH": "gold",
    "gcc -B -fuse-ld=lld": "lld",
    "clang --ld-path": "lld",
    "clang -fuse-ld=/abs/ld.lld": "lld",
    "clang -B -fuse-ld=lld": "lld",
    "clang -B (ld)": "bfd",
}


@pytest.mark.parametrize("way", WAYS)
def test_every_way_in(
    way: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    for shim in (True, False):
        cmd, path = WAYS[way](dropins, shim)
        env = base_env(PATH=path, NIX_STORE=str(store.root))
        prog = tmp_path / ("with" if shim else "without")
        link([*cmd, str(objs.foo), f"-L{store.foo}", "-lfoo", "-o", str(prog)], env)
        assert read_needed(prog)[0] == "libfoo.so.1"
        assert which_linker(prog) == WAY_LINKER[way]
        if shim:
            assert read_runpath(prog) == [str(store.foo)]
            assert_runs(prog)
        else:
            assert read_runpath(prog) is None
            assert_does_not_start(prog)


# --- scenarios, for each linker ---------------------------------------------------------------


def gcc(linker: str, dropins: Path) -> list[str]:
    return ["gcc", f"-B{dropins}", f"-fuse-ld={linker}"]


def store_env(store: BuiltStore) -> dict[str, str]:
    return base_env(PATH=SYS_PATH, NIX_STORE=str(store.root))


@pytest.mark.parametrize("linker", LINKERS)
def test_gcc_response_file(
    linker: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    # With any @file on its command line gcc hands the linker one @/tmp/ccXXX file.
    prog = tmp_path / "prog"
    (tmp_path / "args.rsp").write_text(f"{objs.foo}\n-L{store.foo}\n-lfoo\n-o\n{prog}\n")
    link([*gcc(linker, dropins), "@args.rsp"], store_env(store), cwd=tmp_path)
    assert read_runpath(prog) == [str(store.foo)]
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
def test_linker_response_file_via_wl(
    linker: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    prog = tmp_path / "prog"
    (tmp_path / "ld.rsp").write_text(f"-L '{store.foo}' -lfoo\n")
    link(
        [*gcc(linker, dropins), str(objs.foo), "-Wl,@ld.rsp", "-o", str(prog)],
        store_env(store),
        cwd=tmp_path,
    )
    assert read_runpath(prog) == [str(store.foo)]
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
def test_l_colon_exact_file_name(
    linker: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    prog = tmp_path / "prog"
    link(
        [*gcc(linker, dropins), str(objs.foo), f"-L{store.foo}", "-l:libfoo.so.1", "-o", str(prog)],
        store_env(store),
    )
    assert read_runpath(prog) == [str(store.foo)]
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
def test_wl_split_l_and_l(
    linker: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    prog = tmp_path / "prog"
    link(
        [
            *gcc(linker, dropins),
            str(objs.foo),
            f"-Wl,-L,{store.foo}",
            "-Wl,-l,foo",
            "-o",
            str(prog),
        ],
        store_env(store),
    )
    assert read_runpath(prog) == [str(store.foo)]
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
def test_unused_store_directories_are_not_added(
    linker: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    prog = tmp_path / "prog"
    link(
        [
            *gcc(linker, dropins),
            str(objs.foo),
            f"-L{store.unused}",
            f"-L{store.bar}",
            f"-L{store.foo}",
            "-lfoo",
            "-o",
            str(prog),
        ],
        store_env(store),
    )
    assert read_runpath(prog) == [str(store.foo)]
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("name", ["libfoo.so.1", "libfoo.so"])
def test_library_given_by_full_path(
    linker: str, name: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    prog = tmp_path / "prog"
    link(
        [*gcc(linker, dropins), str(objs.foo), str(store.foo / name), "-o", str(prog)],
        store_env(store),
    )
    assert read_runpath(prog) == [str(store.foo)]
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
def test_static_only_library_gets_no_rpath(
    linker: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    prog = tmp_path / "prog"
    link(
        [*gcc(linker, dropins), str(objs.sta), f"-L{store.sta}", "-lsta", "-o", str(prog)],
        store_env(store),
    )
    assert read_runpath(prog) is None
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
def test_callers_own_rpath_gets_one_copy_in_front_in_a_meson_tree(
    linker: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    # Meson's install removes the values it passed: the copy is spelled with a trailing
    # slash, so that GNU ld keeps it and the install leaves it in place.
    (tmp_path / "meson-private").mkdir()
    prog = tmp_path / "prog"
    link(
        [
            *gcc(linker, dropins),
            str(objs.foo),
            f"-Wl,-rpath,{store.foo}",
            f"-L{store.foo}",
            "-lfoo",
            "-o",
            str(prog),
        ],
        store_env(store),
    )
    assert read_runpath(prog) == [f"{store.foo}/", str(store.foo)]
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
def test_callers_own_rpath_outside_a_cmake_or_meson_tree_is_not_named_twice(
    linker: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    # Nothing takes the caller's entry out again: a copy of ldwrap's would name it twice.
    prog = tmp_path / "prog"
    args = [str(objs.foo), f"-Wl,-rpath,{store.foo}", f"-L{store.foo}", "-lfoo", "-o", str(prog)]
    link([*gcc(linker, dropins), *args], store_env(store))
    assert read_runpath(prog) == [str(store.foo)]
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("bar_first", [True, False], ids=["bar-first", "foo-first"])
def test_two_libraries_in_two_store_dirs_keep_l_order(
    linker: str,
    bar_first: bool,
    store: BuiltStore,
    dropins: Path,
    objs: Objects,
    tmp_path: Path,
) -> None:
    dirs = [store.bar, store.foo] if bar_first else [store.foo, store.bar]
    prog = tmp_path / "prog"
    link(
        [
            *gcc(linker, dropins),
            str(objs.foobar),
            *(f"-L{d}" for d in dirs),
            "-lfoo",
            "-lbar",
            "-o",
            str(prog),
        ],
        store_env(store),
    )
    assert read_runpath(prog) == [str(d) for d in dirs]
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
def test_without_nix_store_a_plain_prefix_works_via_ldwrap_rpath_prefixes(
    linker: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    prog = tmp_path / "prog"
    env = base_env(PATH=SYS_PATH, LDWRAP_RPATH_PREFIXES=str(store.root))
    link([*gcc(linker, dropins), str(objs.foo), f"-L{store.foo}", "-lfoo", "-o", str(prog)], env)
    assert read_runpath(prog) == [str(store.foo)]
    assert_runs(prog, linker)


@pytest.mark.parametrize("linker", LINKERS)
def test_disabled_gives_the_plain_link(
    linker: str, store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    prog = tmp_path / "prog"
    env = {**store_env(store), "LDWRAP_DISABLE": "1"}
    link([*gcc(linker, dropins), str(objs.foo), f"-L{store.foo}", "-lfoo", "-o", str(prog)], env)
    assert read_runpath(prog) is None
    assert_does_not_start(prog)


def test_shared_library_linked_through_the_shim_finds_its_own_dependency(
    store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    # A library (not a program) that needs libfoo: its RUNPATH lets a program load it.
    libdir = tmp_path / "nix" / "store" / ("b" * 32 + "-mid") / "lib"
    libdir.mkdir(parents=True)
    mid = libdir / "libmid.so"
    src = "int foo_value(void);\nint mid_value(void) { return foo_value(); }\n"
    (tmp_path / "mid.c").write_text(src)
    env = store_env(store)
    link(
        [
            *gcc("lld", dropins),
            "-shared",
            "-fPIC",
            str(tmp_path / "mid.c"),
            f"-L{store.foo}",
            "-lfoo",
            "-o",
            str(mid),
        ],
        env,
    )
    assert read_runpath(mid) == [str(store.foo)]
    main = tmp_path / "main.c"
    main.write_text(
        "#include <stdio.h>\nint mid_value(void);\n"
        'int main(void) { printf("runs %d\\n", mid_value()); return 0; }\n'
    )
    prog = tmp_path / "prog"
    link(
        ["gcc", str(main), f"-L{libdir}", "-lmid", f"-Wl,-rpath,{libdir}", "-o", str(prog)],
        base_env(PATH=SYS_PATH),
    )
    assert_runs(prog)


@pytest.mark.parametrize("linker", LINKERS)
def test_outside_nix_any_non_default_directory_gets_an_rpath(
    linker: str, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    # No NIX_STORE, no LDWRAP_RPATH_PREFIXES: gcc's own -L dirs (its private tree, the
    # multiarch system dirs) must not leak into the RUNPATH; the prefix library's dir must.
    opt = tmp_path / "opt" / "lib"
    opt.mkdir(parents=True)
    compile_c("int foo_value(void) { return 1; }\n", opt / "libfoo.so", "-shared", "-fPIC")
    prog = tmp_path / "prog"
    link(
        [*gcc(linker, dropins), str(objs.foo), f"-L{opt}", "-lfoo", "-o", str(prog)],
        base_env(PATH=SYS_PATH),
    )
    # A /nix/store beside the distribution changes nothing: only NixOS narrows the prefixes.
    assert read_runpath(prog) == [str(opt)]
    assert_runs(prog, linker)


def test_clang_through_path_needs_the_target_prefixed_names(
    store: BuiltStore, dropins: Path, objs: Objects, tmp_path: Path
) -> None:
    """clang looks in its own directory before PATH for `ld.lld`, but takes
    `<triple>-ld.lld` from PATH first: `ldwrap install --target` writes those names."""
    triple = subprocess.run(
        ["clang", "-dumpmachine"], capture_output=True, text=True, check=True
    ).stdout.strip()
    prefixed = tmp_path / "prefixed"
    proc = subprocess.run(
        [sys.executable, "-m", "ldwrap", "install", "--target", triple, str(prefixed)],
        capture_output=True,
        text=True,
        env=base_env(),
    )
    assert proc.returncode == 0, proc.stderr
    assert (prefixed / f"{triple}-ld.lld").exists()
    cmd = ["clang", "-fuse-ld=lld", str(objs.foo), f"-L{store.foo}", "-lfoo"]
    # Plain names first on PATH are not enough for clang: no rpath.
    plain = tmp_path / "plain"
    link(
        [*cmd, "-o", str(plain)], base_env(PATH=f"{dropins}:{SYS_PATH}", NIX_STORE=str(store.root))
    )
    assert read_runpath(plain) is None
    assert_does_not_start(plain)
    # The prefixed names are.
    prog = tmp_path / "prog"
    link(
        [*cmd, "-o", str(prog)], base_env(PATH=f"{prefixed}:{SYS_PATH}", NIX_STORE=str(store.root))
    )
    assert read_runpath(prog) == [str(store.foo)]
    assert_runs(prog, "lld")
