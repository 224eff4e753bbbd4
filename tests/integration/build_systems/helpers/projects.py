"""Each build system's case: build the fixture project with CMake, Meson, autotools, make,
setuptools or cargo, install it, and describe each installed file."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from .case import Build, Installed, Output
from .run import clean_env, copy_project, run

APP_OUT = "greet 1.0: hello, libhello\ngreet 1.0: hello, greet-app\n"
DIRECT_OUT = "greet 1.0: hello, greet-direct\n"
NO_OWN_RPATH = (
    "the build system installs no rpath to the project's own lib directory, so "
    "greet-app cannot find libhello.so.1 there (by design, with or without ldwrap)"
)


# What ldwrap adds to a program that links the project's own library from the build tree:
# the library directory relative to the program's install directory (bin).
SELF_ENTRY = ("$ORIGIN/../lib/",)

CMAKE_VARIANTS = {
    "default": [],
    "skip-build-rpath": ["-DCMAKE_SKIP_BUILD_RPATH=ON"],
    "use-link-path": ["-DCMAKE_INSTALL_RPATH_USE_LINK_PATH=ON"],
    "origin": ["-DCMAKE_INSTALL_RPATH=$ORIGIN/../lib"],
}


def build_cmake(b: Build, variant: str) -> Installed:
    src = copy_project("cmake", b.work / "src")
    build, prefix = b.work / "build", b.work / "inst"
    env = b.env()
    flags = [f"-DCMAKE_{kind}_LINKER_FLAGS={b.fuse_ld}" for kind in ("EXE", "SHARED", "MODULE")]
    run(
        [
            "cmake",
            "-S",
            src,
            "-B",
            build,
            "-G",
            "Ninja",
            f"-DCMAKE_INSTALL_PREFIX={prefix}",
            "-DCMAKE_INSTALL_LIBDIR=lib",
            *flags,
            *CMAKE_VARIANTS[variant],
        ],
        env,
    )
    run(["cmake", "--build", build, "-j2"], env)
    run(["cmake", "--install", build], env)
    g, u = str(b.greet.libdir), str(b.greet.unused_libdir)
    own: tuple[str, ...] = ()
    own_prog: tuple[str, ...] = ()
    app_starts = False
    if variant == "use-link-path":
        # CMake's own install rpath: the linked directories outside the build tree.
        own, own_prog = (g,), (g, u)
    elif variant == "origin":
        own = own_prog = ("$ORIGIN/../lib",)
        app_starts = True
    # CMake's build rpath: the build directory and every linked directory.
    build_rpath = () if variant == "skip-build-rpath" else (g, u)
    return Installed(
        f"cmake-{variant}",
        b,
        [prefix],
        [
            Output(prefix / "lib" / "libhello.so.1.0", "lib", own),
            Output(
                prefix / "bin" / "greet-app",
                "exe",
                own_prog,
                app_starts,
                APP_OUT,
                "" if app_starts else NO_OWN_RPATH,
                unused=True,
                self_entries=SELF_ENTRY,
            ),
            Output(prefix / "bin" / "greet-direct", "exe", own_prog, True, DIRECT_OUT, unused=True),
        ],
        [src, build],
        build_rpath,
    )


def build_meson(b: Build) -> Installed:
    src = copy_project("meson", b.work / "src")
    build, prefix = b.work / "build", b.work / "inst"
    env = b.env(CC_LD=b.linker)
    run(
        ["meson", "setup", build, src, f"--prefix={prefix}", "--libdir=lib", "--buildtype=plain"],
        env,
    )
    run(["meson", "compile", "-C", build, "-j", "2"], env)
    run(["meson", "install", "-C", build, "--no-rebuild"], env)
    # Meson's build rpath: every linked directory (removed again at install).
    build_rpath = (str(b.greet.libdir), str(b.greet.unused_libdir))
    return Installed(
        "meson",
        b,
        [prefix],
        [
            Output(prefix / "lib" / "libhello.so.1.0", "lib"),
            Output(
                prefix / "bin" / "greet-app",
                "exe",
                (),
                False,
                APP_OUT,
                NO_OWN_RPATH,
                unused=True,
                self_entries=SELF_ENTRY,
            ),
            Output(prefix / "bin" / "greet-direct", "exe", (), True, DIRECT_OUT, unused=True),
        ],
        [src, build],
        build_rpath,
    )


def build_autotools(b: Build, generated: Path, consumer_generated: Path) -> Installed:
    """Project 1: two libtool libraries (libhello relinked at install against the installed
    libgreetbase) and two programs. Project 2: a program linked through libtool against
    project 1's installed libhello.la."""
    src = b.work / "greetlt"
    shutil.copytree(generated, src, symlinks=True)
    prefix = b.work / "inst-greetlt"
    env = b.env()
    configure = [
        "./configure",
        "-q",
        "--disable-dependency-tracking",
        "CC=gcc",
        f"LDFLAGS={b.fuse_ld}",
    ]
    run([*configure, f"--prefix={prefix}"], env, cwd=src)
    run(["make", "-s", "-j2"], env, cwd=src)
    inst = run(["make", "-s", "install"], env, cwd=src)
    assert "relink" in inst.stdout + inst.stderr, "libtool did not relink at install"

    csrc = b.work / "consumer"
    shutil.copytree(consumer_generated, csrc, symlinks=True)
    cprefix = b.work / "inst-consumer"
    run([*configure, f"--prefix={cprefix}", f"HELLO_LA={prefix}/lib/libhello.la"], env, cwd=csrc)
    run(["make", "-s", "-j2"], env, cwd=csrc)
    run(["make", "-s", "install"], env, cwd=csrc)

    lib = str(prefix / "lib")
    return Installed(
        "autotools",
        b,
        [prefix, cprefix],
        [
            Output(prefix / "lib" / "libgreetbase.so.1.0.0", "lib"),
            Output(prefix / "lib" / "libhello.so.1.0.0", "lib", (lib,)),
            Output(
                prefix / "bin" / "greet-app",
                "exe",
                (lib,),
                True,
                "greet 1.0: hello, libhello via libgreetbase\n" + APP_OUT,
                unused=True,
            ),
            Output(prefix / "bin" / "greet-direct", "exe", (), True, DIRECT_OUT, unused=True),
            Output(
                cprefix / "bin" / "greet-consumer",
                "exe",
                (lib,),
                True,
                "greet 1.0: hello, libhello via libgreetbase\ngreet 1.0: hello, libhello\n"
                "greet 1.0: hello, greet-consumer\n",
            ),
        ],
        [src, csrc],
        (lib,),
    )  # libtool's -rpath <prefix>/lib


def autoreconf(name: str, dest: Path) -> Path:
    """Copy an autotools project and generate configure & co. once (autoreconf is slow)."""
    src = copy_project(name, dest, common=(name == "autotools"))
    run(["autoreconf", "-fi"], clean_env(), cwd=src)
    return src


def build_make(b: Build) -> Installed:
    src = copy_project("make", b.work / "src")
    prefix = b.work / "inst"
    env = b.env()
    run(["make", "-s", "-j2", "CC=gcc", f"LDFLAGS={b.fuse_ld}", f"PREFIX={prefix}"], env, cwd=src)
    run(["make", "-s", "install", f"PREFIX={prefix}"], env, cwd=src)
    return Installed(
        "make",
        b,
        [prefix],
        [
            Output(prefix / "lib" / "libhello.so.1", "lib"),
            Output(
                prefix / "bin" / "greet-app", "exe", ("$ORIGIN/../lib",), True, APP_OUT, unused=True
            ),
            Output(prefix / "bin" / "greet-direct", "exe", (), True, DIRECT_OUT, unused=True),
        ],
        [src],
    )


def build_pyext(b: Build) -> Installed:
    src = copy_project("pyext", b.work / "src", common=False)
    target = b.work / "inst" / "site"
    env = b.env(LDFLAGS=b.fuse_ld, CC="gcc")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-build-isolation",
            "--no-index",
            "--no-deps",
            "--target",
            target,
            src,
        ],
        env,
        cwd=b.work,
    )
    found = sorted(target.glob("greetext*.so"))
    assert len(found) == 1, f"extension not installed: {list(target.rglob('*'))}"
    return Installed(
        "setuptools",
        b,
        [target],
        [
            Output(found[0], "pyext", python_own_rpaths(), True, "1.0\n"),
        ],
        [src],
    )


def python_own_rpaths() -> tuple[str, ...]:
    """The rpaths this interpreter's own link command (sysconfig LDSHARED) passes to every
    extension, e.g. pyenv's `-Wl,-rpath,<prefix>/lib`: the build system's, not ldwrap's."""
    import shlex
    import sysconfig

    out: list[str] = []
    words = shlex.split(sysconfig.get_config_var("LDSHARED") or "")
    for w in words:
        if w.startswith("-Wl,"):
            parts = w[4:].split(",")
            for i, part in enumerate(parts):
                if part in ("-rpath", "-R", "--rpath") and i + 1 < len(parts):
                    out += parts[i + 1].split(":")
                elif part.startswith(("-rpath=", "--rpath=")):
                    out += part.split("=", 1)[1].split(":")
    return tuple(dict.fromkeys(out))


CARGO_FLAGS = {
    "bfd": "-Clinker-features=-lld -Clink-arg=-fuse-ld=bfd",
    "lld": "-Clinker-features=-lld -Clink-arg=-fuse-ld=lld",
    "mold": "-Clinker-features=-lld -Clink-arg=-fuse-ld=mold",
}


def build_cargo(b: Build) -> Installed:
    src = copy_project("cargo", b.work / "src", common=False)
    root = b.work / "inst"
    target = b.work / "target"
    env = b.env(RUSTFLAGS=CARGO_FLAGS[b.linker], CARGO_TARGET_DIR=str(target))
    run(
        ["cargo", "install", "--offline", "--quiet", "--path", src / "greet-cli", "--root", root],
        env,
        cwd=src,
        timeout=600,
    )
    return Installed(
        "cargo",
        b,
        [root],
        [
            Output(root / "bin" / "greet-cli", "exe", (), True, "greet-cli: libgreet 1.0\n"),
        ],
        [src, target],
    )
