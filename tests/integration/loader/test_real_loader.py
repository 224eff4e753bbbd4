"""Hand-built binaries, one per loader rule; ldwrap's prediction must match the real ld.so.

Every test runs the program for real (trace mode and a normal start) and
compares, besides asserting the rule-specific ``found_via`` details.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers.builder import Builder, real_loader
from ldwrap.loader.resolve import INTERPRETER, LoadResult, Options, Resolver

ELF_TOO_SHORT = b"\x7fELF"


def agree(
    exe: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    check_path: Path | None = None,
) -> LoadResult:
    """Predict with ldwrap, run for real, assert they agree; return the prediction."""
    env = env or {}
    opts = Options(
        ld_library_path=env.get("LD_LIBRARY_PATH"),
        preload=env.get("LD_PRELOAD"),
        cwd=str(cwd) if cwd else None,
    )
    result = Resolver(opts).load(str(check_path or exe))
    real = real_loader(exe, env, cwd)
    rtld = result.config.interp
    base = str(cwd) if cwd else os.getcwd()
    expected = [
        (n, p if p is None or p.startswith("/") else os.path.join(base, p))
        for n, p in real.pairs
        if p != rtld
    ]
    predicted = [
        (e.lookup_name or e.name, e.path)
        for e in result.edges
        if e.found_via != INTERPRETER and (e.loaded or e.missing)
    ]
    if result.fatal is None:
        assert predicted == expected, real.trace_stderr
    assert result.ok == (real.returncode == 0), real.stderr
    if result.ok:
        assert real.returncode == 0
    elif result.fatal:
        assert result.fatal.split(": ")[-1] in real.stderr
    else:
        first = next(e for e in result.edges if e.missing)
        assert f"{first.name}: {first.error}" in real.stderr
    return result


def via(result: LoadResult, name: str) -> tuple[str | None, str, str | None]:
    edge = next(e for e in result.edges if e.name == name and (e.loaded or e.missing))
    return edge.path, edge.found_via, edge.via_object


def test_rpath_inherited_through_loader_chain(build: Builder) -> None:
    r = build.root
    libc_only_a = build.lib("a/libC.so")
    libd_only_b = build.lib("b/libD.so")
    libb = build.lib("b/libB.so", deps=[libc_only_a, libd_only_b])
    liba = build.lib("a/libA.so", deps=[libb], rpath=f"{r}/b")
    exe = build.exe("bin/exe", deps=[liba], rpath=f"{r}/a")
    res = agree(exe)
    assert via(res, "libB.so") == (f"{r}/b/libB.so", "rpath", f"{r}/a/libA.so")
    # libB has no RPATH: its needs use libA's, then the executable's RPATH.
    assert via(res, "libD.so") == (f"{r}/b/libD.so", "rpath", f"{r}/a/libA.so")
    assert via(res, "libC.so") == (f"{r}/a/libC.so", "rpath", str(exe))


def test_runpath_is_not_inherited(build: Builder) -> None:
    r = build.root
    libb = build.lib("a/libB.so")
    liba = build.lib("a/libA.so", deps=[libb])
    exe = build.exe("bin/exe", deps=[liba], runpath=f"{r}/a")
    res = agree(exe)
    assert via(res, "libA.so")[1] == "runpath"
    assert via(res, "libB.so")[0] is None
    assert not res.ok


def test_runpath_of_library_blocks_inherited_rpath(build: Builder) -> None:
    r = build.root
    libb = build.lib("a/libB.so")
    liba = build.lib("a/libA.so", deps=[libb], runpath=f"{r}/empty")
    exe = build.exe("bin/exe", deps=[liba], rpath=f"{r}/a")
    res = agree(exe)
    path, _, _ = via(res, "libB.so")
    assert path is None
    tried = next(e for e in res.edges if e.name == "libB.so").tried
    assert all("rpath" not in a.source for a in tried)
    # Control: the same library without RUNPATH inherits the RPATH.
    liba2 = build.lib("c/libA.so", deps=[libb])
    exe2 = build.exe("bin/exe2", deps=[liba2], rpath=f"{r}/c:{r}/a")
    assert via(agree(exe2), "libB.so")[1] == "rpath"


def test_origin_symlinked_executable_vs_symlinked_library(build: Builder) -> None:
    r = build.root
    # Executable: $ORIGIN is the real directory (the kernel resolves the link).
    lib1 = build.lib("real/lib/libone.so")
    exe = build.exe("real/bin/exe", deps=[lib1], rpath="$ORIGIN/../lib")
    link = build.symlink("elsewhere/bin/exe", exe)
    res = agree(link)
    assert via(res, "libone.so")[0] == f"{r}/real/bin/../lib/libone.so"
    # Library: $ORIGIN is the directory of the path it was opened under.
    dep = build.lib("store/dep/libdep.so")
    real_lib = build.lib("store/lib/libtwo.so", deps=[dep], rpath="$ORIGIN/../dep")
    build.symlink("view/lib/libtwo.so", real_lib)
    (r / "view/dep").mkdir(parents=True)
    os.rename(dep, r / "view/dep/libdep.so")
    exe2 = build.exe("bin/exe2", deps=[real_lib], rpath=f"{r}/view/lib")
    res2 = agree(exe2)
    assert via(res2, "libdep.so") == (
        f"{r}/view/lib/../dep/libdep.so",
        "rpath",
        f"{r}/view/lib/libtwo.so",
    )


def test_wrong_class_library_earlier_in_path_is_skipped(build: Builder) -> None:
    r = build.root
    build.lib("d32/libw.so", m32=True)
    lib64 = build.lib("d64/libw.so")
    exe = build.exe("bin/exe", deps=[lib64], rpath=f"{r}/d32:{r}/d64")
    res = agree(exe)
    edge = next(e for e in res.edges if e.name == "libw.so")
    assert edge.path == f"{r}/d64/libw.so"
    assert [a.result for a in edge.tried if a.path.endswith("/d32/libw.so")] == ["wrong_class"]
    # Only the 32-bit file present: "wrong ELF class" is the loader's error.
    exe_only32 = build.exe("bin/exe32only", deps=[lib64], rpath=f"{r}/d32")
    res32 = agree(exe_only32)
    assert (
        next(e for e in res32.edges if e.name == "libw.so").error == "wrong ELF class: ELFCLASS32"
    )


def test_32bit_program_uses_its_own_loader_and_dirs(build: Builder) -> None:
    r = build.root
    build.lib("d64/libv.so")
    lib32 = build.lib("d32/libv.so", m32=True)
    exe = build.exe("bin/exe32", deps=[lib32], rpath=f"{r}/d64:{r}/d32", m32=True)
    res = agree(exe)
    assert res.config.interp == "/lib/ld-linux.so.2"
    assert via(res, "libv.so")[0] == f"{r}/d32/libv.so"
    libc = via(res, "libc.so.6")[0]
    assert libc is not None and libc.startswith(("/lib32/", "/usr/lib32/"))


def test_soname_reuse_satisfies_a_name_with_no_file(build: Builder) -> None:
    r = build.root
    stub = build.lib("stub/liba.so", soname=None)  # link-time stand-in: DT_NEEDED "liba.so"
    shared = build.lib("run/liba.so", soname="libshared.so.1")
    libb = build.lib("run/libb.so", deps=[shared])  # DT_NEEDED "libshared.so.1"
    exe = build.exe("bin/exe", deps=[stub, libb], rpath=f"{r}/run")
    res = agree(exe)
    assert not (r / "run/libshared.so.1").exists()
    edge = next(e for e in res.edges if e.name == "libshared.so.1")
    assert (edge.path, edge.found_via, edge.via_object) == (
        f"{r}/run/liba.so",
        "already_loaded",
        "soname",
    )


def test_bfs_order_changes_the_result(build: Builder) -> None:
    r = build.root
    libc_ = build.lib("c/libC.so")
    liba = build.lib("a/libA.so", deps=[libc_], rpath=f"{r}/c")
    libb = build.lib("b/libB.so", deps=[libc_])
    good = build.exe("bin/good", deps=[liba, libb], rpath=f"{r}/a:{r}/b")
    bad = build.exe("bin/bad", deps=[libb, liba], rpath=f"{r}/a:{r}/b")
    res_good, res_bad = agree(good), agree(bad)
    assert res_good.ok
    assert not res_bad.ok
    c_edges = [(e.needed_by, e.path) for e in res_bad.edges if e.name == "libC.so"]
    assert c_edges == [(f"{r}/b/libB.so", None), (f"{r}/a/libA.so", f"{r}/c/libC.so")]


def test_nodefaultlib(build: Builder) -> None:
    r = build.root
    liba = build.lib("a/libA.so", extra=["-lz"])  # libA itself may use the cache/defaults
    exe = build.exe("bin/exe", deps=[liba], rpath=f"{r}/a", extra=["-lz", "-Wl,-z,nodefaultlib"])
    res = agree(exe)
    assert via(res, "libA.so")[1] == "rpath"
    z = next(e for e in res.edges if e.name == "libz.so.1")
    assert z.path is None
    assert any(a.result == "rejected: nodefaultlib" for a in z.tried)
    # Through LD_LIBRARY_PATH the same program starts.
    res2 = agree(exe, env={"LD_LIBRARY_PATH": "/lib/x86_64-linux-gnu"})
    assert res2.ok
    assert via(res2, "libz.so.1")[1] == "ld_library_path"


def test_empty_and_relative_components_mean_cwd(build: Builder) -> None:
    r = build.root
    lib = build.lib("work/libe.so")
    build.lib("work/sub/librel.so")
    librel_stub = build.lib("stub/librel.so")
    exe = build.exe("bin/exe", deps=[lib, librel_stub], runpath=f"{r}/nonexistent::sub")
    res = agree(exe, cwd=r / "work")
    assert via(res, "libe.so") == (f"{r}/work/libe.so", "runpath", str(exe))
    assert via(res, "librel.so")[0] == f"{r}/work/sub/librel.so"
    other = r / "bin"
    res2 = agree(exe, cwd=other)
    assert via(res2, "libe.so")[0] is None


def test_ld_library_path_precedence(build: Builder) -> None:
    r = build.root
    build.lib("llp/libp.so")
    lib = build.lib("own/libp.so")
    with_rpath = build.exe("bin/rp", deps=[lib], rpath=f"{r}/own")
    with_runpath = build.exe("bin/ru", deps=[lib], runpath=f"{r}/own")
    env = {"LD_LIBRARY_PATH": f"/nonexistent;{r}/llp"}  # ';' separates too
    assert via(agree(with_rpath, env), "libp.so")[:2] == (f"{r}/own/libp.so", "rpath")
    assert via(agree(with_runpath, env), "libp.so")[:2] == (f"{r}/llp/libp.so", "ld_library_path")


def test_preload_satisfies_need_by_soname(build: Builder) -> None:
    r = build.root
    real = build.lib("a/libq.so")
    build.lib("pre/libalt.so", soname="libq.so")
    exe = build.exe("bin/exe", deps=[real], rpath=f"{r}/a")
    res = agree(exe, env={"LD_PRELOAD": f"{r}/pre/libalt.so"})
    assert via(res, f"{r}/pre/libalt.so")[1] == "preload"
    q = next(e for e in res.edges if e.name == "libq.so")
    assert (q.path, q.found_via) == (f"{r}/pre/libalt.so", "already_loaded")


def test_non_elf_file_earlier_in_path_is_fatal(build: Builder) -> None:
    r = build.root
    good = build.lib("good/libn.so")
    script = b"/* GNU ld script: the loader reads 64 bytes, so say more */\nINPUT(libn.so.1)\n"
    build.file("bad/libn.so", script)
    build.file("short/libn.so", ELF_TOO_SHORT)
    exe = build.exe("bin/exe", deps=[good], rpath=f"{r}/bad:{r}/good")
    res = agree(exe)
    assert res.fatal is not None and "invalid ELF header" in res.fatal
    exe2 = build.exe("bin/exe2", deps=[good], rpath=f"{r}/short:{r}/good")
    res2 = agree(exe2)
    assert res2.fatal is not None and "file too short" in res2.fatal


def test_hwcaps_and_legacy_subdirectories_win(build: Builder) -> None:
    r = build.root
    plain = build.lib("h/libh.so")
    build.lib("h/glibc-hwcaps/x86-64-v2/libh.so")
    build.lib("t/tls/libt.so")
    libt = build.lib("t/libt.so")
    exe = build.exe("bin/exe", deps=[plain, libt], rpath=f"{r}/h:{r}/t")
    res = agree(exe)
    assert via(res, "libh.so")[0] == f"{r}/h/glibc-hwcaps/x86-64-v2/libh.so"
    assert via(res, "libt.so")[0] == f"{r}/t/tls/libt.so"  # glibc <= 2.36 legacy subdir


def test_lib_and_platform_tokens_both_spellings(build: Builder) -> None:
    r = build.root
    res0 = Resolver().load("/bin/true")
    libdir, plat = res0.config.lib, res0.config.platform
    assert libdir and plat
    a = build.lib(f"x/{libdir}/libtokA.so")
    b = build.lib(f"y/{plat}/libtokB.so")
    exe = build.exe("bin/exe", deps=[a, b], rpath=f"{r}/x/${{LIB}}:{r}/y/$PLATFORM:{r}/z/$LIBX")
    res = agree(exe)
    assert via(res, "libtokA.so")[0] == f"{r}/x/{libdir}/libtokA.so"
    assert via(res, "libtokB.so")[0] == f"{r}/y/{plat}/libtokB.so"


def test_needed_name_with_slash_and_origin(build: Builder) -> None:
    r = build.root
    lib = build.lib("bin/libslash.so", soname="$ORIGIN/libslash.so")
    exe = build.exe("bin/exe", deps=[lib])
    res = agree(exe)
    assert via(res, "$ORIGIN/libslash.so")[:2] == (f"{r}/bin/libslash.so", "direct")


def test_same_file_under_two_names_is_loaded_once(build: Builder) -> None:
    r = build.root
    real = build.lib("l/libsame.so.1", soname=None)
    link = build.symlink("l/libsame.so", real)
    libb = build.lib("b/libb.so", deps=[real])  # DT_NEEDED "libsame.so.1"
    exe = build.exe("bin/exe", deps=[link, libb], rpath=f"{r}/l:{r}/b")
    res = agree(exe)
    edge = next(e for e in res.edges if e.name == "libsame.so.1")
    assert (edge.path, edge.loaded) == (f"{r}/l/libsame.so", False)


def test_other_errno_in_existing_dir_abandons_the_list(build: Builder) -> None:
    r = build.root
    lib = build.lib("good/libnd.so")
    build.file("afile", b"plain file\n")
    # A component that is a file (ENOTDIR): the directory does not exist, go on.
    exe = build.exe("bin/exe", deps=[lib], rpath=f"{r}/afile/sub:{r}/good")
    assert via(agree(exe), "libnd.so")[0] == f"{r}/good/libnd.so"
    # A symlink loop (ELOOP) in an existing directory ends this RPATH list.
    (r / "loop").mkdir()
    (r / "loop/libnd.so").symlink_to("libnd.so")
    exe2 = build.exe("bin/exe2", deps=[lib], rpath=f"{r}/loop:{r}/good")
    res2 = agree(exe2)
    edge = next(e for e in res2.edges if e.name == "libnd.so")
    assert edge.path is None
    assert [a.result for a in edge.tried if "/loop/" in a.path][-1] == "abandon"


def test_missing_interpreter(build: Builder) -> None:
    exe = build.exe("bin/exe", extra=["-Wl,--dynamic-linker=/nonexistent/ld-ldwrap.so.2"])
    res = Resolver(Options()).load(str(exe))
    assert not res.ok
    assert res.fatal == "interpreter /nonexistent/ld-ldwrap.so.2: No such file or directory"
    try:
        subprocess.run([str(exe)], capture_output=True, check=False)
        started = True
    except FileNotFoundError:  # execve reports ENOENT for the missing loader
        started = False
    assert started is False
