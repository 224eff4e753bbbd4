"""`ldwrap check DIR` on a small installed tree built here with gcc and each real linker, and
on the system's own directories: every finding the tree's files call for, exactly, and the
verdict on each file's libraries held to the real loader (in trace mode, and running the
programs where the answer matters).

The tree lives under pytest's temporary directory, so a RUNPATH entry written as an absolute
path into it is (rightly) also a temporary-directory entry; entries written with $ORIGIN move
with the file and are not.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers import base_env, run_program

LDSO = "/lib64/ld-linux-x86-64.so.2"
LDWRAP = [sys.executable, "-m", "ldwrap"]
MAIN = '#include <stdio.h>\nint main(void) { puts("started"); return 0; }\n'


@dataclass
class Tree:
    top: Path  # the temporary directory: build/, p/, p2/, deep/, src/
    prefix: Path  # the installed tree that is audited

    def f(self, rel: str) -> str:
        return str(self.prefix / rel)


def _cc(out: Path, code: str, *args: str, cwd: Path | None = None) -> Path:
    """gcc, with the source kept outside the audited tree (in a src/ beside the top of it)."""
    top = next(d for d in out.parents if d.name in ("p", "p2", "deep", "stage"))
    src = top.parent / "src" / f"{top.name}-{out.name}.c"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(code)
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["gcc", "-o", str(out), str(src), "-Wl,--no-as-needed", *args]
    subprocess.run(cmd, check=True, env=base_env(), cwd=cwd, capture_output=True, text=True)
    return out


def _lib(out: Path, soname: str | None, *args: str) -> Path:
    name = out.name.split(".so")[0].removeprefix("lib")
    sn = [f"-Wl,-soname,{soname}"] if soname else []
    return _cc(out, f"int {name}_value(void) {{ return 1; }}\n", "-shared", "-fPIC", *sn, *args)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    top = tmp_path_factory.mktemp("audit")
    p = top / "p"
    lib = p / "lib"
    foo = _lib(lib / "libfoo.so.1", "libfoo.so.1")
    (lib / "libfoo.so").symlink_to("libfoo.so.1")  # the link-time name: a symlink
    (top / "build" / "lib").mkdir(parents=True)
    (top / "build" / "CMakeCache.txt").write_text("# a CMake build tree\n")
    shutil.copy(foo, top / "build" / "lib" / "libfoo.so.1")
    _lib(lib / "libbar.so.2", "libbar.so.2", f"-L{lib}", "-lfoo", "-Wl,-rpath,$ORIGIN")
    (lib / "libbar.so").symlink_to("libbar.so.2")
    _lib(lib / "libplug.so", None, f"-L{lib}", "-lfoo")  # a plugin: no run path of its own
    nosoname = _lib(lib / "libnosoname.so", None)
    deep = _lib(top / "deep" / "libdeep.so.1", "libdeep.so.1")
    # GNU ld writes an empty DT_RUNPATH for -rpath '': no directory, yet RPATH is then off.
    _lib(lib / "libempty.so", "libempty.so", f"-L{deep.parent}", "-l:libdeep.so.1", "-fuse-ld=bfd",
         "-Wl,-rpath,")  # fmt: skip
    _lib(p / "lib64" / "stubs" / "libcuda.so", "libcuda.so.1")  # CUDA's stub: no .so.1
    stub2 = _lib(top / "p2" / "lib64" / "stubs" / "libcuda.so", "libcuda.so.1")
    (stub2.parent / "libcuda.so.1").symlink_to("libcuda.so")  # a build image's shortcut
    # A Rust cdylib has no SONAME: a program linked with it by path needs that path.
    rs = top / "src" / "rfoo.rs"
    rs.parent.mkdir(parents=True, exist_ok=True)
    rs.write_text('#[no_mangle]\npub extern "C" fn rfoo() -> i32 { 42 }\n')
    rustc = shutil.which("rustc") or os.path.expanduser("~/.cargo/bin/rustc")
    cdylib = top / "target" / "release" / "librfoo.so"
    cdylib.parent.mkdir(parents=True)
    subprocess.run([rustc, "--crate-type", "cdylib", "-O", str(rs), "-o", str(cdylib)],
                   check=True, env=base_env(), capture_output=True)  # fmt: skip
    (top / "target" / "CACHEDIR.TAG").write_text("")  # cargo's target dir: no build marker

    def exe(name: str, *args: str, cwd: Path | None = None) -> Path:
        return _cc(p / "bin" / name, MAIN, *args, cwd=cwd)

    use = (f"-L{lib}", "-lbar", "-lfoo")
    exe("good", *use, "-fuse-ld=lld", "-Wl,-rpath,$ORIGIN/../lib")
    exe("useless", *use, "-fuse-ld=mold", "-Wl,-rpath,$ORIGIN/../lib:/usr/share")
    exe("doubled", *use, "-fuse-ld=lld", "-Wl,-rpath,$ORIGIN/../lib:$ORIGIN/../lib/")
    exe("emptyel", *use, "-fuse-ld=bfd", "-Wl,-rpath,$ORIGIN/../lib:")
    exe(
        "builddir",
        f"-L{lib}",
        "-lfoo",
        "-fuse-ld=bfd",
        f"-Wl,-rpath,{top}/build/lib:$ORIGIN/../lib",
    )
    exe("stub", f"-L{p}/lib64/stubs", "-lcuda", f"-Wl,-rpath,{p}/lib64/stubs")
    exe("stub2", f"-L{stub2.parent}", "-lcuda", f"-Wl,-rpath,{stub2.parent}")
    exe("pathneeded", str(nosoname), "-fuse-ld=lld")
    exe("relneeded", "lib/libnosoname.so", cwd=p)  # linked from the prefix, by a relative path
    exe("rustneeded", str(cdylib), "-fuse-ld=mold")
    exe("golddot", "-fuse-ld=gold", "-Wl,-rpath,")  # gold writes '.' for an empty -rpath
    exe("emptytag", "-fuse-ld=bfd", "-Wl,-rpath,")
    exe("rpathoff", f"-L{lib}", "-lempty", "-Wl,--disable-new-dtags",
        "-Wl,-rpath,$ORIGIN/../lib:$ORIGIN/../../deep")  # fmt: skip
    (p / "share").mkdir()
    (p / "share" / "README").write_text("not ELF\n")
    debug = p / "lib" / "debug" / "libbar.so.2.debug"  # what /usr/lib/debug holds: not loaded
    debug.parent.mkdir()
    subprocess.run(["objcopy", "--only-keep-debug", str(lib / "libbar.so.2"), str(debug)],
                   check=True)  # fmt: skip
    return Tree(top, p)


def _audit(tree: Tree, *args: str) -> tuple[int, dict[str, Any]]:
    """`ldwrap check --json -v` from the tree's top directory (not the prefix: a relative
    entry or DT_NEEDED then finds nothing, as for a user starting the program elsewhere)."""
    proc = subprocess.run(
        [*LDWRAP, "check", "--json", "-v", *args],
        capture_output=True,
        text=True,
        cwd=tree.top,
        env=base_env(),
        check=False,
    )
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _real_missing(path: str, cwd: Path) -> set[str]:
    """The names the real loader does not find for path: the loader run on it in trace mode,
    as ldd runs it (`ld.so --list` stops at the first miss). The files are regular files,
    so $ORIGIN is the same as when the kernel starts them."""
    env = base_env(LD_TRACE_LOADED_OBJECTS="1")
    proc = subprocess.run([LDSO, path], capture_output=True, text=True, cwd=cwd, env=env,
                          check=False)  # fmt: skip
    return {line.split("=>")[0].strip() for line in proc.stdout.splitlines() if "not found" in line}


def _predicted_missing(file_json: dict[str, Any]) -> set[str]:
    return {
        lib["name"]
        for lib in file_json["libraries"]
        if lib["path"] is None and lib["found_via"] == "not_found"
    }


EXPECTED = {
    # (file, kind, the entry as written or the library) for every finding, temp included (an
    # entry into the audited tree itself, which sits in /tmp here, is no temporary one).
    ("bin/useless", "unused_entry", "/usr/share"),
    ("bin/doubled", "duplicate_entry", "$ORIGIN/../lib/"),
    ("bin/emptyel", "empty_path_element", None),
    ("bin/builddir", "build_dir_entry", "{top}/build/lib"),
    ("bin/builddir", "shadowed_entry", "$ORIGIN/../lib"),
    ("bin/stub", "unresolved", "libcuda.so.1"),
    ("bin/stub", "stub_entry", "{p}/lib64/stubs"),
    ("bin/stub", "unused_entry", "{p}/lib64/stubs"),
    ("bin/stub2", "temp_dir_entry", "{top}/p2/lib64/stubs"),
    ("bin/stub2", "stub_entry", "{top}/p2/lib64/stubs"),
    ("bin/pathneeded", "needed_path", "{p}/lib/libnosoname.so"),
    ("bin/relneeded", "unresolved", "lib/libnosoname.so"),
    ("bin/relneeded", "needed_path", "lib/libnosoname.so"),
    ("bin/rustneeded", "needed_path", "{top}/target/release/librfoo.so"),
    ("bin/golddot", "relative_entry", "."),
    ("bin/emptytag", "empty_runpath", ""),
    ("bin/rpathoff", "unused_entry", "$ORIGIN/../../deep"),
    ("lib/libplug.so", "unresolved", "libfoo.so.1"),
    ("lib/libempty.so", "empty_runpath", ""),
    ("lib/libempty.so", "unresolved", "libdeep.so.1"),
}


def test_every_finding_of_the_tree(tree: Tree) -> None:
    status, out = _audit(tree, str(tree.prefix))
    assert status == 1
    got = {
        (
            os.path.relpath(f["file"], tree.prefix),
            f["kind"],
            f["entry"] if f["entry"] is not None else f["library"],
        )
        for f in out["findings"]
    }
    expected = {
        (file, kind, None if what is None else what.format(top=tree.top, p=tree.prefix))
        for file, kind, what in EXPECTED
    }
    assert got == expected
    s = out["summary"]
    assert (s["judged"], s["symlinks"], s["not_elf"], s["not_loadable"]) == (19, 2, 1, 1)
    assert s["errors"] == sum(f["fails"] for f in out["findings"]) == 12
    # rustneeded's library is in cargo's target dir, which holds no build marker, under
    # /tmp: that fails; pathneeded's is in the audited tree itself: a warning (it loads only
    # where the tree is installed). Both say what to do.
    fails = {
        os.path.relpath(f["file"], tree.prefix): f["fails"]
        for f in out["findings"]
        if f["kind"] == "needed_path"
    }
    assert fails == {"bin/pathneeded": False, "bin/relneeded": True, "bin/rustneeded": True}
    for f in out["findings"]:
        if f["kind"] == "needed_path":
            assert "-Wl,-soname," in f["fix"]


def test_each_files_libraries_agree_with_the_real_loader(tree: Tree) -> None:
    """Every file judged: the libraries ldwrap says are missing are those the real loader
    does not find, from the same working directory."""
    _, out = _audit(tree, str(tree.prefix))
    files = out["files"]
    assert len(files) == 19
    compared = 0
    for f in files:
        assert _predicted_missing(f) == _real_missing(f["file"], tree.top), f["file"]
        compared += 1
    assert compared == 19


def test_the_real_loader_takes_what_the_findings_say(tree: Tree) -> None:
    """The build tree's copy wins over the prefix's own; the stub with a .so.1 is loaded;
    an empty RUNPATH really turns the program's RPATH off for the library; the program
    linked by a relative path starts only from the prefix."""
    trace = run_program(tree.f("bin/builddir"), base_env(LD_TRACE_LOADED_OBJECTS="1")).stdout
    assert f"libfoo.so.1 => {tree.top}/build/lib/libfoo.so.1" in trace
    trace = run_program(tree.f("bin/stub2"), base_env(LD_TRACE_LOADED_OBJECTS="1")).stdout
    assert f"libcuda.so.1 => {tree.top}/p2/lib64/stubs/libcuda.so.1" in trace
    assert run_program(tree.f("bin/rpathoff")).returncode != 0  # libdeep.so.1 not found
    assert run_program(tree.f("bin/good")).stdout == "started\n"
    rel = [tree.f("bin/relneeded")]
    assert subprocess.run(rel, cwd=tree.prefix, capture_output=True).returncode == 0
    assert subprocess.run(rel, cwd=tree.top, capture_output=True).returncode != 0


def test_the_same_links_with_clean_run_paths_have_no_finding(tmp_path: Path) -> None:
    """The control: a program and its libraries linked with $ORIGIN run paths by each
    linker give an audit with nothing to say, and exit status 0."""
    p = tmp_path / "p"
    lib = p / "lib"
    _lib(lib / "libfoo.so.1", "libfoo.so.1")
    _lib(lib / "libbar.so.2", "libbar.so.2", f"-L{lib}", "-l:libfoo.so.1", "-Wl,-rpath,$ORIGIN")
    for ld in ("bfd", "gold", "lld", "mold"):
        _cc(p / "bin" / f"app-{ld}", MAIN, f"-fuse-ld={ld}", f"-L{lib}", "-l:libbar.so.2",
            "-Wl,-rpath,$ORIGIN/../lib")  # fmt: skip
    proc = subprocess.run([*LDWRAP, "check", str(p)], capture_output=True, text=True,
                          env=base_env(), check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout == "ldwrap check: 6 files: 6 ELF files judged; no findings\n"
    for ld in ("bfd", "gold", "lld", "mold"):
        assert run_program(p / "bin" / f"app-{ld}").stdout == "started\n"


def test_system_directories_agree_with_the_real_loader() -> None:
    """The audit of /usr/bin and /usr/lib/x86_64-linux-gnu: each file's missing libraries
    are the real loader's; each `unresolved` finding names one of them, and each miss is
    reported, by the file itself or, for a need of a library of these trees, by that
    library's own audit."""
    _, out = _audit(Tree(Path("/"), Path("/")), "/usr/bin", "/usr/lib/x86_64-linux-gnu")
    assert out["summary"]["judged"] > 300
    unresolved: dict[str, set[str]] = {}
    for f in out["findings"]:
        if f["kind"] == "unresolved":
            unresolved.setdefault(f["file"], set()).add(f["library"])
    told = set().union(*unresolved.values()) if unresolved else set()
    for f in out["files"]:
        real = _real_missing(f["file"], Path("/"))
        assert _predicted_missing(f) == real, f["file"]
        assert unresolved.get(f["file"], set()) <= real, f["file"]
        assert real <= told, f["file"]


def test_destdir_judges_a_staged_install_as_the_loader_sees_it_installed(tmp_path: Path) -> None:
    """A library and a program built for /opt/<name> (an absolute run path, as an install
    RPATH is), staged under DESTDIR. Audited where it lies, the program misses its library;
    with --destdir it has no finding, and installed for real (in a private mount namespace,
    over a tmpfs on /opt: nothing outside it changes) the program starts and the loader takes
    the library from there."""
    prefix = f"/opt/ldwrap-destdir-{os.getpid()}"
    stage = tmp_path / "stage"
    staged = stage / prefix.lstrip("/")
    _lib(staged / "lib" / "libfoo.so.1", "libfoo.so.1")
    (staged / "lib" / "libfoo.so").symlink_to("libfoo.so.1")
    _cc(staged / "bin" / "app", MAIN, f"-L{staged}/lib", "-lfoo", f"-Wl,-rpath,{prefix}/lib")
    plain = subprocess.run([*LDWRAP, "check", str(stage)], capture_output=True, text=True,
                           env=base_env(), check=False)  # fmt: skip
    assert plain.returncode == 1
    assert f"{staged}/bin/app: error: libfoo.so.1 is not found [unresolved]" in plain.stdout
    res = subprocess.run([*LDWRAP, "check", "--destdir", str(stage), str(stage)],
                         capture_output=True, text=True, env=base_env(), check=False)  # fmt: skip
    assert res.returncode == 0, res.stdout
    assert res.stdout.endswith("; no findings\n")
    install = (
        f"mount -t tmpfs none /opt && mkdir {prefix} && mount --bind {staged} {prefix} && "
        f'LD_TRACE_LOADED_OBJECTS=1 "$0" && "$0"'
    )
    real = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", install, f"{prefix}/bin/app"],
        capture_output=True, text=True, env=base_env(), timeout=60, check=False,
    )  # fmt: skip
    assert real.returncode == 0, real.stderr
    assert f"libfoo.so.1 => {prefix}/lib/libfoo.so.1" in real.stdout
    assert real.stdout.endswith("started\n")
