"""aarch64 links through the drop-ins, run under qemu-aarch64: the cross gcc and clang
--target with their default linker, gold, lld and mold, each the way docs/cross.md tells a
user to reach ldwrap; the same links without ldwrap give programs that do not start.

A cross gcc's collect2 takes ld and ld.gold from its own directories
(/usr/aarch64-linux-gnu/bin) before PATH, and lld and mold from PATH only under the target's
prefix; COMPILER_PATH (or -B) comes before both. A plain drop-in reached that way sees
`-maarch64linux` and runs aarch64's own linker, not this machine's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import base_env, read_runpath, which_linker

from .conftest import SYS_PATH, TRIPLE, CrossStore, run_aarch64

GCC = [f"{TRIPLE}-gcc"]
CLANG = ["clang", f"--target={TRIPLE}"]

# (compiler and flags, how the drop-ins are reached, the linker that wrote the program)
WAYS = {
    "gcc, COMPILER_PATH": (GCC, "compiler_path", "bfd"),
    "gcc -fuse-ld=bfd, COMPILER_PATH": ([*GCC, "-fuse-ld=bfd"], "compiler_path", "bfd"),
    "gcc -fuse-ld=gold, COMPILER_PATH": ([*GCC, "-fuse-ld=gold"], "compiler_path", "gold"),
    "gcc -fuse-ld=lld, COMPILER_PATH": ([*GCC, "-fuse-ld=lld"], "compiler_path", "lld"),
    "gcc -fuse-ld=mold, COMPILER_PATH": ([*GCC, "-fuse-ld=mold"], "compiler_path", "mold"),
    "gcc, -B": (GCC, "-B", "bfd"),
    # The prefixed drop-ins `ldwrap install` writes for the cross gcc, first on PATH.
    "gcc -fuse-ld=lld, PATH": ([*GCC, "-fuse-ld=lld"], "path", "lld"),
    "gcc -fuse-ld=mold, PATH": ([*GCC, "-fuse-ld=mold"], "path", "mold"),
    "clang, COMPILER_PATH": (CLANG, "compiler_path", "bfd"),
    "clang -fuse-ld=gold, COMPILER_PATH": ([*CLANG, "-fuse-ld=gold"], "compiler_path", "gold"),
    "clang -fuse-ld=lld, COMPILER_PATH": ([*CLANG, "-fuse-ld=lld"], "compiler_path", "lld"),
    "clang -fuse-ld=mold, COMPILER_PATH": ([*CLANG, "-fuse-ld=mold"], "compiler_path", "mold"),
    "clang --ld-path": (CLANG, "--ld-path", "lld"),
}


@pytest.fixture(scope="module")
def plain_linkers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Without ldwrap, a cross gcc finds lld and mold only under these names (links to the
    real linkers), reached the same way as the drop-ins."""
    d = tmp_path_factory.mktemp("plain-linkers")
    for name, real in (("ld.lld", "/usr/bin/ld.lld"), ("ld.mold", "/usr/bin/ld.mold")):
        (d / name).symlink_to(real)
        (d / f"{TRIPLE}-{name}").symlink_to(real)
    return d


def cross_link(
    way: str, dropins: Path | None, args: list[str], store: CrossStore, out: Path, plain: Path
) -> subprocess.CompletedProcess[str]:
    """Link as `way` says: through the drop-ins in dropins, or without ldwrap (None), where
    lld and mold come from plain and the default linker and gold are the compiler's own."""
    cc, how, linker = WAYS[way]
    env = base_env(PATH=SYS_PATH, NIX_STORE=str(store.root))
    extra: list[str] = []
    if dropins is None and how == "--ld-path":
        dropins = Path("/usr/bin")
    elif dropins is None:
        dropins = plain if linker in ("lld", "mold") else None
    if dropins is not None:
        if how == "compiler_path":
            env["COMPILER_PATH"] = str(dropins)
        elif how == "-B":
            extra = [f"-B{dropins}"]
        elif how == "path":
            env["PATH"] = f"{dropins}:{SYS_PATH}"
        else:
            extra = [f"--ld-path={dropins}/ld.lld"]
    return subprocess.run(
        [*cc, *extra, *args, "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("way", WAYS)
def test_cross_link_starts_under_qemu(
    way: str,
    cross_install: Path,
    cross_store: CrossStore,
    cross_main_o: Path,
    plain_linkers: Path,
    tmp_path: Path,
) -> None:
    linker = WAYS[way][2]
    args = [str(cross_main_o), f"-L{cross_store.foo}", "-lfoo"]
    for dropins in (cross_install, None):
        prog = tmp_path / ("with" if dropins else "without")
        p = cross_link(way, dropins, args, cross_store, prog, plain_linkers)
        assert p.returncode == 0, p.stderr
        assert which_linker(prog) == linker
        started = run_aarch64(prog)
        if dropins is not None:
            assert read_runpath(prog) == [str(cross_store.foo)]
            assert (started.returncode, started.stdout) == (0, "runs 42\n"), started.stderr
        else:
            assert read_runpath(prog) is None
            assert started.returncode == 127
            assert "libfoo.so.1: cannot open shared object file" in started.stderr


MIXED = [
    "gcc, COMPILER_PATH",
    "gcc -fuse-ld=gold, COMPILER_PATH",
    "gcc -fuse-ld=mold, COMPILER_PATH",
]


@pytest.mark.parametrize("way", MIXED)
def test_a_mixed_search_path_gets_the_rpath_of_the_aarch64_library(
    way: str,
    cross_install: Path,
    cross_store: CrossStore,
    cross_main_o: Path,
    plain_linkers: Path,
    tmp_path: Path,
) -> None:
    """An x86_64 libfoo first on the search path: bfd, gold and mold skip it (`skipping
    incompatible`), and so does ldwrap: only the aarch64 library's directory is an rpath."""
    args = [str(cross_main_o), f"-L{cross_store.foo_x86}", f"-L{cross_store.foo}", "-lfoo"]
    prog = tmp_path / "prog"
    p = cross_link(way, cross_install, args, cross_store, prog, plain_linkers)
    assert p.returncode == 0, p.stderr
    assert read_runpath(prog) == [str(cross_store.foo)]
    started = run_aarch64(prog)
    assert (started.returncode, started.stdout) == (0, "runs 42\n"), started.stderr


def test_lld_stops_at_an_incompatible_library_with_or_without_ldwrap(
    cross_install: Path,
    cross_store: CrossStore,
    cross_main_o: Path,
    plain_linkers: Path,
    tmp_path: Path,
) -> None:
    """lld does not skip the x86_64 libfoo: its error and exit status come through unchanged."""
    way = "gcc -fuse-ld=lld, COMPILER_PATH"
    args = [str(cross_main_o), f"-L{cross_store.foo_x86}", f"-L{cross_store.foo}", "-lfoo"]
    results = [
        cross_link(way, dropins, args, cross_store, tmp_path / name, plain_linkers)
        for dropins, name in ((cross_install, "with"), (None, "without"))
    ]
    for p in results:
        assert p.returncode == 1
        assert "libfoo.so is incompatible with elf64-littleaarch64" in p.stderr
    assert results[0].stderr.replace(str(tmp_path / "with"), "OUT") == results[1].stderr.replace(
        str(tmp_path / "without"), "OUT"
    )


def test_install_writes_the_cross_gccs_prefixed_names(cross_install: Path) -> None:
    """Every name the aarch64 binutils, lld and mold can serve, next to the plain ones."""
    names = ("ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold")
    written = sorted(p.name for p in cross_install.iterdir())
    assert [n for n in written if n.startswith(f"{TRIPLE}-")] == sorted(
        f"{TRIPLE}-{n}" for n in names
    )
